import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { ListeningTransport } from '../protocol/transport.js';
import type { Dialect } from '../protocol/dialect.js';
import {
  isWireEvent, type ClientEvent, type ClientEventOf, type Item, type ResponseParams, type ServerEvent, type SessionConfig,
} from '../protocol/events.js';
import { isKnownServerEventType, problemWithServerEvent } from '../protocol/server-event-shape.js';
import { initialConversation, reduceConversation, type ConversationState } from './conversation.js';
import { silentLogger, type Logger } from '../logger.js';

export interface SessionEvents {
  'server-event': [event: ServerEvent];
  'client-event': [event: ClientEvent];
  'state': [state: ConversationState];
  'malformed': [reason: string];
  'close': [code: number, reason: string];
  /** A new connection carries the conversation on (config and this many context items already re-sent). */
  'reconnected': [restoredItems: number];
}

export interface RealtimeSessionOptions {
  logger?: Logger;
  /** Above this many bytes waiting in the socket, new audio is dropped (and counted) instead of queued. */
  maxBufferedBytes?: number;
}

/**
 * One Realtime conversation over any ListeningTransport. It keeps the conversation state (a pure
 * reducer over server events), sequences response.create so two never race, and keeps
 * the dialect out of everyone else's sight. It never touches sockets or processes itself.
 */
export class RealtimeSession extends EventEmitter<SessionEvents> {
  private conversation: ConversationState = initialConversation;
  private readonly logger: Logger;
  private readonly maxBufferedBytes: number;
  private readonly queuedResponses: Array<ResponseParams | undefined> = [];
  private pendingCreate: { eventId: string; params: ResponseParams | undefined } | undefined;
  private idCounter = 0;
  private readonly idPrefix = `evt_${randomBytes(4).toString('hex')}`;
  droppedAudioChunks = 0;

  private transport: ListeningTransport;
  private closedByUs = false;

  constructor(transport: ListeningTransport, readonly dialect: Dialect, options: RealtimeSessionOptions = {}) {
    super();
    this.logger = options.logger ?? silentLogger;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
    this.transport = transport;
    this.listenTo(transport);
  }

  private listenTo(transport: ListeningTransport): void {
    transport.on('message', (text: string) => this.receive(text));
    transport.on('close', (code: number, reason: string) => this.emit('close', code, reason));
    transport.on('error', (error: Error) => this.logger.log('debug', `socket error: ${error.message}`));
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
  resume(transport: ListeningTransport, config: SessionConfig, items: readonly Item[]): void {
    this.replaceTransport(transport);
    this.updateSession(config);
    for (const item of items) this.send({ type: 'conversation.item.create', item });
    this.emit('reconnected', items.length);
  }

  /** The item list is reset and nothing that was in flight is waited for any more. */
  private replaceTransport(transport: ListeningTransport): void {
    this.transport.removeAllListeners();
    this.transport.on('error', () => undefined);
    this.transport = transport;
    this.listenTo(transport);
    this.pendingCreate = undefined;
    this.queuedResponses.length = 0;
    const { activeResponseId: _lost, ...rest } = this.conversation;
    this.conversation = { ...rest, items: [], userSpeaking: false };
    this.emit('state', this.conversation);
  }

  get state(): ConversationState {
    return this.conversation;
  }

  get isOpen(): boolean {
    return this.transport.isOpen;
  }

  /** True while the server is producing a response or one is about to start. */
  get responseInFlight(): boolean {
    return this.conversation.activeResponseId !== undefined || this.pendingCreate !== undefined;
  }

  send(event: ClientEvent): string {
    const eventId = event.event_id ?? this.nextEventId();
    const stamped = { ...event, event_id: eventId } as ClientEvent;
    this.emit('client-event', stamped);
    this.transport.send(JSON.stringify(this.dialect.clientToWire(stamped)));
    return eventId;
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
    return { ...event, event_id: this.send(event) };
  }

  commitAudio(): void {
    this.send({ type: 'input_audio_buffer.commit' });
  }

  clearAudio(): void {
    this.send({ type: 'input_audio_buffer.clear' });
  }

  /** A typed user message, answered by the model. */
  sendText(text: string, response?: ResponseParams): void {
    this.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
    this.createResponse(response);
  }

  /** Asks for a response, or queues the request until the one in flight is done. */
  createResponse(params?: ResponseParams): void {
    if (this.responseInFlight) {
      this.queuedResponses.push(params);
      return;
    }
    const eventId = this.send(params ? { type: 'response.create', response: params } : { type: 'response.create' });
    this.pendingCreate = { eventId, params };
  }

  cancelResponse(): void {
    if (this.conversation.activeResponseId) this.send({ type: 'response.cancel' });
    this.queuedResponses.length = 0;
  }

  truncate(itemId: string, audioEndMs: number, contentIndex = 0): void {
    this.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: contentIndex, audio_end_ms: Math.max(0, Math.round(audioEndMs)) });
  }

  deleteItem(itemId: string): void {
    this.send({ type: 'conversation.item.delete', item_id: itemId });
  }

  close(code = 1000, reason = ''): Promise<void> {
    this.closedByUs = true;
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
    this.trackResponses(event);
    this.conversation = reduceConversation(this.conversation, event);
    this.emit('server-event', event);
    this.emit('state', this.conversation);
    if (event.type === 'response.done') this.startQueuedResponse();
  }

  private trackResponses(event: ServerEvent): void {
    if (event.type === 'response.created') this.pendingCreate = undefined;
    if (event.type !== 'error' || !this.pendingCreate) return;
    if (event.error.event_id !== this.pendingCreate.eventId) return;
    // The server started its own response (VAD, tool output) first: ours waits its turn.
    if (event.error.code === 'conversation_already_has_active_response') {
      this.queuedResponses.unshift(this.pendingCreate.params);
    }
    this.pendingCreate = undefined;
  }

  private startQueuedResponse(): void {
    if (this.queuedResponses.length === 0 || this.responseInFlight) return;
    this.createResponse(this.queuedResponses.shift());
  }

  private reportMalformed(reason: string): void {
    this.logger.log('debug', reason);
    this.emit('malformed', reason);
  }
}
