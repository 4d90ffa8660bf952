import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { ListeningTransport } from '../protocol/transport.js';
import type { Dialect } from '../protocol/dialect.js';
import {
  isWireEvent, type ClientEvent, type WireEvent, type ClientEventOf, type Item, type ResponseParams, type ServerEvent, type SessionConfig, type TranscriptionSessionConfig,
} from '../protocol/events.js';
import { isKnownServerEventType, problemWithServerEvent } from '../protocol/server-event-shape.js';
import { appendJson } from '../protocol/append-json.js';
import { cutOffResponse, initialConversation, reduceConversation, type ConversationState } from './conversation.js';
import { ResponseLedger, type QueuedRequest, type ResponseOwner } from './response-ledger.js';
import { RateLimitRetry } from './rate-limit-retry.js';
import { TypedLineLedger, type UnsentReason } from './typed-line-ledger.js';
import type { ProtocolError, Response } from '../protocol/events.js';
import { silentLogger, type Logger } from '../logger.js';
import { AnswerOverdueWatch } from './answer-overdue-watch.js';
import { AnswerStallWatch } from './answer-stall-watch.js';
import { beginsSession } from './session-hello.js';

/** Which waiting requests the session still sends: all, only those without a typed line, none. */
export type AskingLimit = 'all' | 'tool answers' | 'none';

export interface SessionEvents {
  'server-event': [event: ServerEvent];
  'client-event': [event: ClientEvent];
  'state': [state: ConversationState];
  'malformed': [reason: string];
  'close': [code: number, reason: string];
  /** A new connection carries the conversation on (config and this many context items already re-sent). */
  'reconnected': [restoredItems: number];
  /** A response the server created, and whose it is. */
  'response-created': [response: Response, owner: ResponseOwner];
  /**
   * A response finished. `answersRequest`: it is kaiwa's own, or the conversation's while
   * kaiwa had asked for nothing (the answer to the user's voice).
   */
  'response-finished': [response: Response, owner: ResponseOwner, answersRequest: boolean];
  /** Whether kaiwa's request for a response waits on the server (sent, neither begun nor refused) changed. */
  'answer-requested': [pending: boolean];
  /** The server refused kaiwa's `response.create`. */
  'response-rejected': [error: ProtocolError];
  /** The answer that just failed for a rate limit is asked for again after this wait. */
  'asking-again': [waitMs: number];
  /** A reply cut off by a lost connection, asked for again, was cut off again: it is not asked a third time. */
  'reply-given-up': [];
  /** The server has said nothing of kaiwa's request for an answer for this long (no response.created, no error). */
  'answer-overdue': [waitedMs: number];
  /** A response under way has had no word from the server for this long (AnswerStallWatch). */
  'answer-stalled': [silentMs: number];
  /** A frame as it crossed a transport that translates at the edge (GPT-Live): what a recording of the wire keeps. */
  'wire': [direction: 'client' | 'server', frame: WireEvent];
}

export interface SendOptions {
  /** Items get an id here (see send). */
  track: boolean;
  /** The event's audio is base64 that kaiwa encoded itself (see appendJson). */
  audioIsBase64?: boolean;
}

export interface RealtimeSessionOptions {
  logger?: Logger;
  /** Above this many bytes waiting in the socket, new audio is dropped (and counted) instead of queued. */
  maxBufferedBytes?: number;
}

/** A reply cut off before its response even began is asked for again at most this often. */
const MAX_TIMES_ASKED_AGAIN = 3;

/**
 * One Realtime conversation over any ListeningTransport. It keeps the conversation state (a pure
 * reducer over server events), sequences response.create so two never race, and keeps
 * the dialect out of everyone else's sight. It never touches sockets or processes itself.
 */
export class RealtimeSession extends EventEmitter<SessionEvents> {
  private conversation: ConversationState = initialConversation;
  private readonly logger: Logger;
  private readonly maxBufferedBytes: number;
  private readonly ledger = new ResponseLedger();
  /** Items sent (or held while disconnected) the server has not announced, and typed lines not yet answered. */
  private readonly typedLines = new TypedLineLedger();
  private readonly itemPrefix = `item_k${randomBytes(4).toString('hex')}`;
  private idCounter = 0;
  private readonly idPrefix = `evt_${randomBytes(4).toString('hex')}`;
  droppedAudioChunks = 0;

  private transport: ListeningTransport;
  private closedByUs = false;
  /** What 'answer-requested' last said. */
  private answerRequestedSaid = false;
  /**
   * How often the request in flight asked again for a reply lost connections cut off, and
   * whether its response began since: cut off once more after it began, the reply is given
   * up (a server that drops every reply would otherwise be asked forever, each time paid
   * for); a connection that dies before that is asked again, up to MAX_TIMES_ASKED_AGAIN.
   */
  private timesAskedAgain = 0;
  /** Tool batches under way: the queued lines wait for their outputs and answer (holdQueue). */
  private queueHolds = 0;
  /** Which waiting requests may still be sent (limitAsking). */
  private asking: AskingLimit = 'all';
  private readonly overdue = new AnswerOverdueWatch((waitedMs) => this.emit('answer-overdue', waitedMs));
  private readonly stall = new AnswerStallWatch((silentMs) => this.emit('answer-stalled', silentMs));
  private askedAgainBegan = false;
  /** A session began on some connection (the server said session.created or session.updated). */
  private begun = false;
  private malformed = 0;
  /** The conversation's response a lost connection cut off, until the next connection asks for it again (or gives it up). */
  private cutOffReply: string | undefined;
  /** What waits to ask again for a rate-limited answer: ahead of any line queued behind it. */
  private readonly rateLimitRetry = new RateLimitRetry(() => {
    this.ledger.enqueue(undefined, [], true);
    this.startQueuedResponse();
  });

  constructor(transport: ListeningTransport, readonly dialect: Dialect, options: RealtimeSessionOptions = {}) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.transport = transport;
    this.listenTo(transport);
  }

  private listenTo(transport: ListeningTransport): void {
    transport.on('message', (text: string) => this.receive(text));
    transport.on('close', (code: number, reason: string) => {
      this.overdue.settled();
      this.stall.ended();
      if (!this.closedByUs) this.settleCutOffReply();
      this.emit('close', code, reason);
    });
    transport.on('error', (error: Error) => this.logger.log('debug', `socket error: ${error.message}`));
    transport.on('wire', (direction: 'client' | 'server', frame: WireEvent) => this.emit('wire', direction, frame));
  }

  /**
   * The connection was lost: the response under way gets no response.done, so it ends here,
   * cut off. Left active, everyone would take it as still coming (the status "thinking" after
   * the reconnect, a barge-in cancelling it) until some later response ended. It is kept to be
   * asked for again (resume), so the reply is still owed (responsesOutstanding).
   */
  private settleCutOffReply(): void {
    const responseId = this.conversation.activeResponseId;
    if (responseId === undefined) return;
    this.cutOffReply = responseId;
    this.conversation = cutOffResponse(this.conversation);
    this.emit('state', this.conversation);
  }

  /** True once the server began a session on any connection: until then, a connection is not yet a conversation. */
  get sessionBegun(): boolean {
    return this.begun;
  }

  /** Frames the server sent that were not Realtime events (counted from the start, heard or not). */
  get malformedCount(): number {
    return this.malformed;
  }

  /** True once close() was called: a close that follows was ours, not the network's. */
  get closing(): boolean {
    return this.closedByUs;
  }

  /**
   * Continues on a new connection after the old one was lost, then says so ('reconnected').
   * The server's conversation there starts empty: it gets the config again and the items
   * the caller chose to restore, before anyone listening is told the session is back.
   */
  resume(transport: ListeningTransport, config: SessionConfig | TranscriptionSessionConfig, items: readonly Item[]): void {
    const unconfirmed = this.typedLines.takeUnconfirmed();
    const { cutOff, queued } = this.replaceTransport(transport);
    this.send({ type: 'session.update', session: config });
    // The context is the caller's to keep (it restores the same snapshot if this connection fails too).
    for (const item of items) this.send({ type: 'conversation.item.create', item }, { track: false });
    // What was said but never reached the old session, and the answers it never gave.
    for (const item of unconfirmed) this.send({ type: 'conversation.item.create', item });
    const givenUp = cutOff !== undefined && !this.askAgainUnlessGivenUp(cutOff);
    // Said in its own line when it happens: not again as a line the end of the session left unanswered.
    if (givenUp) this.typedLines.answered();
    for (const request of queued) this.ledger.enqueue(request.params, request.items);
    // Told while what waited is queued, not yet sent: whoever hears of it sees that something is still
    // to come, and a run that ends on it (--once) sends none of it (a line shown as said, then reported unsent).
    if (givenUp) this.emit('reply-given-up');
    this.startQueuedResponse();
    this.emit('reconnected', items.length);
  }

  /** The reply the lost connection cut off: asked for again (true), unless it is given up (see timesAskedAgain). */
  private askAgainUnlessGivenUp(request: QueuedRequest): boolean {
    if (this.givingUp) {
      this.forgetAskingAgain();
      return false;
    }
    const times = this.timesAskedAgain + 1;
    this.createResponse(request.params, request.items);
    this.timesAskedAgain = times;
    return true;
  }

  private get givingUp(): boolean {
    return (this.timesAskedAgain > 0 && this.askedAgainBegan) || this.timesAskedAgain >= MAX_TIMES_ASKED_AGAIN;
  }

  private forgetAskingAgain(): void {
    this.timesAskedAgain = 0;
    this.askedAgainBegan = false;
  }

  /**
   * The response a lost connection cut off now, if it will be asked for again: what it had
   * said is left out of the restored context, so the answer starts afresh.
   */
  get replyToAskAgain(): string | undefined {
    return this.givingUp ? undefined : this.cutOffReply ?? this.conversation.activeResponseId;
  }

  /**
   * A planned switch to a new connection (a session renewed before its time limit): like
   * resume, and returns the old connection, no longer listened to, for the caller to close.
   */
  replaceConnection(transport: ListeningTransport, config: SessionConfig, items: readonly Item[]): ListeningTransport {
    const old = this.transport;
    this.resume(transport, config, items);
    return old;
  }

  /**
   * The item list is reset and nothing that was in flight is waited for any more.
   * Returns what was asked and not answered: the reply cut off (a request sent, a response
   * under way, or one waiting out a rate limit) and the requests that waited their turn.
   */
  private replaceTransport(transport: ListeningTransport): { cutOff?: QueuedRequest; queued: QueuedRequest[] } {
    this.transport.removeAllListeners();
    this.transport.on('error', () => undefined);
    this.transport = transport;
    this.listenTo(transport);
    const answering = this.cutOffReply !== undefined || this.conversation.activeResponseId !== undefined || this.rateLimitRetry.cancel();
    this.cutOffReply = undefined;
    const { inFlight, queued } = this.ledger.reset();
    this.sayIfAnswerRequestedChanged();
    // A reply under way (or waiting out a rate limit) is asked for again whoever asked for it (the server's own: the user spoke), before what waited.
    const cutOff = inFlight ?? (answering ? { params: undefined, items: [] } : undefined);
    const { activeResponseId: _lost, ...rest } = this.conversation;
    this.conversation = { ...rest, items: [], outOfBandResponseIds: [], userSpeaking: false };
    this.emit('state', this.conversation);
    return { ...(cutOff ? { cutOff } : {}), queued };
  }

  get state(): ConversationState {
    return this.conversation;
  }

  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** True while the conversation's response is being produced or kaiwa's request is about to start one. */
  get responseInFlight(): boolean {
    return this.conversation.activeResponseId !== undefined || this.ledger.requestPending || this.rateLimitRetry.waiting;
  }

  /** The answer that failed for a rate limit waits to be asked for again. */
  get waitingToAskAgain(): boolean {
    return this.rateLimitRetry.waiting;
  }

  /** Something is still to be answered: a response under way (or one a lost connection cut off, to be asked again), or kaiwa's request sent or queued (and still to be sent). */
  get responsesOutstanding(): boolean {
    if (this.responseInFlight || this.ledger.requestPending || this.cutOffReply !== undefined) return true;
    if (this.asking === 'none') return false;
    return (this.asking === 'all' ? this.ledger.queued : this.ledger.queuedBare) > 0;
  }

  /**
   * From now on sends no request that waits, or none that carries a typed line ('tool
   * answers': the budget is spent, but a turn whose tools ran still gets its answer). What
   * is held stays unsent, and unsentUserTexts reports it. It never widens again.
   */
  limitAsking(to: Exclude<AskingLimit, 'all'>): void {
    if (this.asking !== 'none') this.asking = to;
  }

  /** Whose a response is (responses not seen count as the conversation's). */
  responseOwner(responseId: string | undefined): ResponseOwner {
    return this.ledger.owner(responseId);
  }

  /**
   * Typed user messages the server never took in, and why: the connection was down, the
   * server never confirmed one that was sent, or one still waited for its turn; and those it
   * took in whose answer never came ('never answered').
   */
  get unsentUserTexts(): Array<{ text: string; why: UnsentReason }> {
    return this.unsentUserTextsWith(!this.transport.isOpen);
  }

  /**
   * As unsentUserTexts, for a connection that was down or not: a caller that asks once it has
   * closed the connection itself (when no confirmation can come any more) gives the state it
   * had when it stopped sending.
   */
  unsentUserTextsWith(down: boolean): Array<{ text: string; why: UnsentReason }> {
    return this.typedLines.report(this.ledger.queuedItems, down, (eventId) => this.transport.holds?.(eventId) ?? false);
  }

  /**
   * Sends an event. Items get an id here, so the server's announcement confirms them; an
   * item created while the connection is down is held and sent after a reconnect.
   */
  send(event: ClientEvent, options: SendOptions = { track: true }): string {
    const eventId = event.event_id ?? this.nextEventId();
    const stamped = { ...(options.track ? this.withItemId(event) : event), event_id: eventId } as ClientEvent;
    const held = !this.transport.isOpen && !this.closedByUs;
    if (options.track && stamped.type === 'conversation.item.create' && stamped.item.id) this.typedLines.sent(stamped.item.id, stamped.item, eventId, held);
    if (held) {
      this.logger.log('debug', `not connected: ${stamped.type} waits for the reconnect`);
      return eventId;
    }
    this.emit('client-event', stamped);
    this.transport.send(this.wireJson(stamped, options.audioIsBase64 === true));
    return eventId;
  }

  /** An append of kaiwa's own base64 that the dialect sends as it is skips JSON.stringify (see appendJson). */
  private wireJson(event: ClientEvent, audioIsBase64: boolean): string {
    const wire = this.dialect.clientToWire(event);
    const asIs = audioIsBase64 && event.type === 'input_audio_buffer.append' && wire.type === event.type
      && wire.audio === event.audio && wire.event_id === event.event_id && Object.keys(wire).length === 3;
    return asIs ? appendJson(event.audio, event.event_id!) : JSON.stringify(wire);
  }

  private withItemId(event: ClientEvent): ClientEvent {
    if (event.type !== 'conversation.item.create') return event;
    return { ...event, item: this.itemWithId(event.item) } as ClientEvent;
  }

  private itemWithId(item: Item): Item {
    if (item.id) return item;
    this.idCounter += 1;
    return { ...item, id: `${this.itemPrefix}_${this.idCounter}` } as Item;
  }

  updateSession(session: SessionConfig): void {
    this.send({ type: 'session.update', session });
  }

  /** Sends wire-format audio. Returns false when it was dropped because the socket is backed up. */
  appendAudio(wireAudio: Buffer): boolean {
    return this.appendAudioEvent(wireAudio) !== undefined;
  }

  /** appendAudio that returns the append event as sent (undefined when dropped), for a recording of what went out. */
  appendAudioEvent(wireAudio: Buffer): ClientEventOf<'input_audio_buffer.append'> | undefined {
    if (!this.transport.isOpen) return undefined;
    if (this.transport.bufferedAmount > this.maxBufferedBytes) {
      this.droppedAudioChunks += 1;
      return undefined;
    }
    const event = { type: 'input_audio_buffer.append', audio: wireAudio.toString('base64') } as const;
    return { ...event, event_id: this.send(event, { track: true, audioIsBase64: true }) };
  }

  commitAudio(): void {
    this.send({ type: 'input_audio_buffer.commit' });
  }

  clearAudio(): void {
    this.send({ type: 'input_audio_buffer.clear' });
  }

  /**
   * A typed user message, answered by the model. While an answer is under way the line
   * waits (unsent) for its turn, so each line is answered by itself, in order.
   */
  sendText(text: string, response?: ResponseParams): void {
    this.createResponse(response, [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }]);
  }

  /**
   * Asks for a response to the conversation with these items added first, or queues the
   * request (items unsent) until the one in flight is done or the connection is back. The
   * request is tagged so its response is known as kaiwa's own.
   */
  createResponse(params?: ResponseParams, items: readonly Item[] = []): void {
    const held = this.asking === 'none' || (this.asking === 'tool answers' && items.length > 0);
    if (held || this.responseInFlight || !this.transport.isOpen || this.ledger.queued > 0 || this.queueHolds > 0) {
      this.ledger.enqueue(params, items);
      return;
    }
    this.sendRequest(params, items);
  }

  /** Asks for a response before any queued line (the answer to a tool batch's outputs). */
  createResponseAhead(): void {
    if (this.asking === 'none' || this.responseInFlight || !this.transport.isOpen) this.ledger.enqueue(undefined, [], true);
    else this.sendRequest(undefined, []);
  }

  /**
   * Holds the queued lines back until the returned release is called: a tool batch that a
   * response asked for runs, its outputs go back and their answer is asked for before the
   * next typed line (which would otherwise be answered first, the tool's result after it).
   */
  holdQueue(): () => void {
    this.queueHolds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.queueHolds -= 1;
      this.startQueuedResponse();
    };
  }

  private sendRequest(params: ResponseParams | undefined, items: readonly Item[]): void {
    this.forgetAskingAgain();
    for (const item of items.map((each) => this.itemWithId(each))) {
      this.send({ type: 'conversation.item.create', item });
      this.typedLines.asked(item.id!, item);
    }
    const eventId = this.nextEventId();
    // The 2024 beta service refuses parameters it does not know; it gets its requests untagged.
    const response = this.ledger.sent(eventId, params, this.dialect.name !== 'beta');
    this.send(response ? { type: 'response.create', event_id: eventId, response } : { type: 'response.create', event_id: eventId });
    // Timed only for whoever listens (the CLI): a library user who does not is left no timer.
    if (this.transport.isOpen && this.listenerCount('answer-overdue') > 0) this.overdue.requested();
    this.sayIfAnswerRequestedChanged();
  }

  /** Told once per change, after the event that changed it (a response's start is told first, so nothing looks idle between). */
  private sayIfAnswerRequestedChanged(): void {
    const pending = this.ledger.requestPending;
    if (pending === this.answerRequestedSaid) return;
    this.answerRequestedSaid = pending;
    this.emit('answer-requested', pending);
  }

  cancelResponse(): void {
    this.rateLimitRetry.cancel();
    if (this.conversation.activeResponseId) this.send({ type: 'response.cancel' });
    this.ledger.dropBareRequests();
  }

  /** The user muted or unmuted the microphone: a peer that can be told (GPT-Live) is told. */
  muteInput(muted: boolean): void {
    if (this.transport.isOpen) this.transport.muteInput?.(muted);
  }

  truncate(itemId: string, audioEndMs: number, contentIndex = 0): void {
    this.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: contentIndex, audio_end_ms: Math.max(0, Math.round(audioEndMs)) });
  }

  deleteItem(itemId: string): void {
    this.send({ type: 'conversation.item.delete', item_id: itemId });
  }

  close(code = 1000, reason = ''): Promise<void> {
    this.closedByUs = true;
    this.rateLimitRetry.cancel();
    this.overdue.settled();
    this.stall.ended();
    return this.transport.close(code, reason);
  }

  private nextEventId(): string {
    this.idCounter += 1;
    return `${this.idPrefix}_${this.idCounter}`;
  }

  private receive(text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.reportMalformed(`ignored a frame that is not JSON (${text.length} bytes)`);
      return;
    }
    if (!isWireEvent(parsed)) {
      this.reportMalformed('ignored a frame without an event type');
      return;
    }
    for (const event of this.dialect.serverFromWire(parsed)) this.handle(event);
  }

  private handle(event: ServerEvent): void {
    const problem = problemWithServerEvent(event as unknown as Parameters<typeof problemWithServerEvent>[0]);
    if (problem) {
      this.reportMalformed(`ignored malformed event: ${problem}`);
      return;
    }
    if (!isKnownServerEventType(event.type)) this.logger.log('debug', `unknown server event ${event.type} (ignored)`);
    if (beginsSession(event)) this.begun = true;
    const owner = event.type === 'response.created' ? this.ledger.created(event.response) : undefined;
    if (owner !== undefined && owner !== 'foreign' && this.timesAskedAgain > 0) this.askedAgainBegan = true;
    const rejected = event.type === 'error' ? this.requestFailed(event.error) : undefined;
    if (event.type === 'conversation.item.added' || event.type === 'conversation.item.created') {
      this.typedLines.confirmed(event.item.id ?? '');
    }
    // The user spoke while a rate-limited answer waited to be asked again: what they say now is what is answered.
    if (event.type === 'input_audio_buffer.speech_started' && this.rateLimitRetry.cancel()) this.startQueuedResponse();
    this.conversation = reduceConversation(this.conversation, event);
    this.emit('server-event', event);
    this.emit('state', this.conversation);
    if (owner) this.emit('response-created', (event as ServerEvent & { type: 'response.created' }).response, owner);
    if (rejected) this.emit('response-rejected', rejected);
    if (event.type === 'response.done') this.responseFinished(event.response);
    // Taken up (a response under way) or refused: kaiwa's request is no longer waiting unheard.
    if (!this.ledger.requestPending || this.conversation.activeResponseId !== undefined) this.overdue.settled();
    this.sayIfAnswerRequestedChanged();
    this.watchForStall(event);
  }

  /** Timed only for whoever listens (the CLI), as the overdue answer is. */
  private watchForStall(event: ServerEvent): void {
    if (this.listenerCount('answer-stalled') === 0) return;
    if (this.conversation.activeResponseId === undefined) this.stall.ended();
    else if (event.type === 'response.created') this.stall.started();
    else this.stall.heard();
  }

  private responseFinished(response: Response): void {
    this.forgetAskingAgain();
    const owner = this.ledger.finished(response.id);
    const answersRequest = owner === 'own' || (owner === 'conversation' && !this.ledger.outstanding);
    const waitMs = this.rateLimitRetry.after(response, answersRequest);
    // Requests go one at a time, so what finishes answers every line sent; a call of a tool is
    // not the answer yet (that comes once its output is back), nor a failure asked for again.
    if (answersRequest && waitMs === undefined && !callsTools(response)) {
      if (owner === 'own' && response.status === 'completed') this.typedLines.answeredInFull();
      else this.typedLines.answered();
    }
    // Told first: what this response cost may end the asking (limitAsking) before the next line goes.
    this.emit('response-finished', response, owner, answersRequest);
    if (waitMs === undefined) this.startQueuedResponse();
    if (waitMs !== undefined) this.emit('asking-again', waitMs);
  }

  /** An error naming kaiwa's request: it waits its turn, or it was refused (returned). */
  private requestFailed(error: ProtocolError): ProtocolError | undefined {
    const outcome = this.ledger.failed(error);
    if (outcome?.kind === 'retry') this.ledger.enqueue(outcome.request.params, [], true);
    // A refusal is said when it comes: not again as a line the end of the session left unanswered.
    if (outcome?.kind === 'rejected') this.typedLines.answered();
    return outcome?.kind === 'rejected' ? error : undefined;
  }

  private startQueuedResponse(): void {
    if (this.asking === 'none' || this.responseInFlight || !this.transport.isOpen || this.queueHolds > 0) return;
    const next = this.asking === 'all' ? this.ledger.takeQueued() : this.ledger.takeQueuedBare();
    if (next) this.sendRequest(next.params, next.items);
  }

  private reportMalformed(reason: string): void {
    this.malformed += 1;
    this.logger.log('debug', reason);
    this.emit('malformed', reason);
  }
}

function callsTools(response: Response): boolean {
  return (response.output ?? []).some((item) => item.type === 'function_call');
}
