import type { ClientEvent, ServerEvent, WireEvent } from '../events.js';
import { liveStartConfig, gaSessionOf } from './live-session-config.js';
import {
  itemConfirmed, replyAudio, replyFinished, replyStarted, replyTranscript, userFinished, userStarted, userTranscript,
  type ReplyIds,
} from './live-turns.js';
import { LIVE_ASSISTANT_SILENCE_MS, LIVE_USER_PAUSE_MS, LIVE_USER_QUIET_MS, type LiveServerEventOf, type LiveSessionResource } from './live-types.js';
import { delegatedToolCalls, DelegatedCalls, finishesResponse } from './live-delegation.js';
import { OpenDelegations } from './live-open-delegations.js';

export interface LiveClientDialectOptions {
  /** Told GA-shaped events that happen later, with nothing arriving (a reply ended by silence). */
  deliver: (events: ServerEvent[]) => void;
  /** Told Live-shaped client events that can go out only now (held until `session.started`). */
  sendWire: (events: WireEvent[]) => void;
  /** One line for the user about something Live cannot do the way kaiwa was asked to. */
  notice?: (line: string) => void;
  delegateModel?: string | undefined;
  /** Output pause that ends a reply (the SDK grouper's assistantSilenceMs); tests shorten it. */
  assistantSilenceMs?: number;
  /** The clock that ends a reply in silence: real timers, or a recording's own time when one is replayed. */
  timers?: SilenceTimers;
}

export interface SilenceTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: SilenceTimers = {
  set: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    timer.unref?.();
    return timer;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** How a typed line reaches Live (which has no user text message after start): appended instructions that say so. */
export const TYPED_LINE_PREFIX = 'The user typed (instead of speaking): ';

/** kaiwa's requests that Live has no command for: the transport answers them itself, and nothing goes out. */
/**
 * The type kaiwa gives a server error that refused `session.start`: Live takes nothing else
 * until `session.started`, so that session never starts and nothing sent after it can be
 * answered (the error's own code and message still say why).
 */
export const START_REFUSED_ERROR_TYPE = 'session_start_refused';

export const LOCAL_CLIENT_EVENTS: ReadonlySet<string> = new Set(['response.cancel', 'conversation.item.truncate', 'conversation.item.delete']);

interface Reply {
  ids: ReplyIds;
  transcript: string;
  /** kaiwa cut it off: GA already heard it end; what Live still sends of it is dropped. */
  cancelled: boolean;
  /** Silent long enough to end, but a delegation it acknowledged is still open: it ends when that closes. */
  held: boolean;
}

interface UserTurn {
  itemId: string;
  transcript: string;
  endMs: number;
}

export interface ToWire {
  /** Live client events to send now. */
  wire: WireEvent[];
  /** GA server events standing for what Live does silently (a truncation kaiwa keeps to itself). */
  local: ServerEvent[];
}

type Json = Record<string, unknown>;
type Item = Extract<ClientEvent, { type: 'conversation.item.create' }>['item'];

function textOf(item: Item): string {
  if (item.type !== 'message') return '';
  return item.content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

/**
 * The Live protocol behind kaiwa's GA event model, for the client. Stateful, one per
 * connection: Live's `session.start` must come first and alone, its output has no ids and
 * no end, its transcript deltas are grouped by time. Live output becomes GA responses with
 * made-up ids that end after LIVE_ASSISTANT_SILENCE_MS of silence or when the user speaks
 * (the SDK TranscriptGrouper's rules); Live user transcripts become user items, one per
 * utterance: closed when the assistant answers, split where Live's own time shows a pause
 * (LIVE_USER_PAUSE_MS), closed anyway after LIVE_USER_QUIET_MS without new words.
 */
export class LiveClientDialect {
  private started = false;
  private startEventId: string | undefined;
  private readonly held: WireEvent[] = [];
  private reply: Reply | undefined;
  private user: UserTurn | undefined;
  private lastItemId: string | null = null;
  private counter = 0;
  /** Event ids have a counter of their own: item and response ids then depend only on what Live said (a replay makes the same). */
  private eventCounter = 0;
  private silenceTimer: unknown;
  private userQuietTimer: unknown;
  private readonly timers: SilenceTimers;
  /** The tag of kaiwa's last `response.create`, for the reply that answers it. */
  private requestTag: Record<string, string> | null = null;
  /** Typed lines sent as appended instructions, by the event id Live will echo. */
  private readonly appended = new Map<string, Json>();
  private toolOutputsSent = 0;
  private readonly delegated = new DelegatedCalls();
  private readonly delegations = new OpenDelegations();
  private readonly silenceMs: number;

  constructor(private readonly options: LiveClientDialectOptions) {
    this.silenceMs = options.assistantSilenceMs ?? LIVE_ASSISTANT_SILENCE_MS;
    this.timers = options.timers ?? REAL_TIMERS;
  }

  get isStarted(): boolean {
    return this.started;
  }

  /** Whether the client event with this id waits here for `session.started` (so far, never sent). */
  holds(eventId: string): boolean {
    return this.held.some((wire) => wire.event_id === eventId);
  }

  /** One of kaiwa's GA client events as Live sends it (often nothing, sometimes a local answer). */
  clientToWire(event: ClientEvent): ToWire {
    const out = this.translateClient(event);
    if (!this.started && out.wire.some((wire) => wire.type !== 'session.start' && wire.type !== 'session.close')) {
      this.held.push(...out.wire);
      return { wire: [], local: this.stamp(out.local) };
    }
    return { wire: out.wire, local: this.stamp(out.local) };
  }

  /** A command of Live's own (no GA twin), to send now or, before `session.started`, once it has come. */
  liveCommand(wire: WireEvent): WireEvent[] {
    if (this.started) return [wire];
    this.held.push(wire);
    return [];
  }

  /** A Live server event as GA events for kaiwa (Live-only events pass through under their own names). */
  serverFromWire(wire: WireEvent): ServerEvent[] {
    return this.stamp(this.translateServer(wire));
  }

  /** The connection is gone: whatever was open ends now (a reply under way is cut off, not completed). */
  dispose(): ServerEvent[] {
    return this.stamp(this.sessionEnded());
  }

  private translateClient(event: ClientEvent): ToWire {
    const eventId = event.event_id ? { event_id: event.event_id } : {};
    switch (event.type) {
      case 'session.update':
        return this.sessionUpdate(event.session as never, eventId);
      case 'input_audio_buffer.append':
        return { wire: [{ type: 'session.input_audio.append', audio: event.audio, ...eventId }], local: [] };
      case 'conversation.item.create':
        return this.itemCreate(event.item, event.event_id);
      case 'response.create':
        return this.responseCreate(event.event_id, (event.response?.metadata ?? null) as Record<string, string> | null);
      case 'response.cancel':
        return { wire: [], local: this.cancelReply() };
      case 'conversation.item.truncate':
        return { wire: [], local: [{ type: 'conversation.item.truncated', event_id: '', item_id: event.item_id, content_index: event.content_index, audio_end_ms: event.audio_end_ms } as unknown as ServerEvent] };
      case 'conversation.item.delete':
        return { wire: [], local: [{ type: 'conversation.item.deleted', event_id: '', item_id: event.item_id } as unknown as ServerEvent] };
      default:
        // Commit, clear and the rest: Live detects turns itself and answers on its own.
        return { wire: [], local: [] };
    }
  }

  private sessionUpdate(session: Parameters<typeof liveStartConfig>[0], eventId: { event_id?: string }): ToWire {
    if (this.startEventId !== undefined) return { wire: [], local: [] };
    const { config, dropped } = liveStartConfig(session, { delegateModel: this.options.delegateModel });
    if (dropped.length) this.options.notice?.(`GPT-Live has no such setting (model, voice, instructions and audio format are all it takes at start); not sent: ${dropped.join(', ')}`);
    this.startEventId = eventId.event_id ?? 'start';
    return { wire: [{ type: 'session.start', session: config, event_id: this.startEventId }], local: [] };
  }

  private itemCreate(item: Item, eventId: string | undefined): ToWire {
    if (item.type === 'function_call_output') {
      this.toolOutputsSent += 1;
      this.delegations.outputSent(item.call_id);
      const wire = { type: 'response.item.create', item: { type: 'function_call_output', call_id: item.call_id, output: item.output }, ...(eventId ? { event_id: eventId } : {}) };
      return { wire: [wire], local: [...this.confirm(item as unknown as Json), ...this.releaseHeldReply()] };
    }
    if (item.type !== 'message') return { wire: [], local: [] };
    const text = textOf(item);
    const content = item.role === 'user' ? `${TYPED_LINE_PREFIX}${text}` : text;
    const id = eventId ?? this.nextEventId('evt');
    this.appended.set(id, item as unknown as Json);
    return { wire: [{ type: 'session.instructions.append', content, delegation_id: null, event_id: id }], local: [] };
  }

  private responseCreate(eventId: string | undefined, metadata: Record<string, string> | null): ToWire {
    if (this.toolOutputsSent > 0) {
      // Tool results continue the delegated Responses backend, which Live then speaks from: that reply answers this request.
      this.toolOutputsSent = 0;
      this.requestTag = metadata;
      return { wire: [{ type: 'response.create', ...(eventId ? { event_id: eventId } : {}) }], local: [] };
    }
    // Live answers by itself; the reply that comes next answers this request.
    this.requestTag = metadata;
    return { wire: [], local: [] };
  }

  private translateServer(wire: WireEvent): ServerEvent[] {
    switch (wire.type) {
      case 'session.started':
        return this.sessionStarted(wire as unknown as LiveServerEventOf<'session.started'>);
      case 'session.output_audio.delta':
        return this.outputAudio(String(wire.delta ?? ''));
      case 'session.output_transcript.delta':
        return this.outputTranscript(wire as unknown as LiveServerEventOf<'session.output_transcript.delta'>);
      case 'session.input_transcript.delta':
        return this.inputTranscript(wire as unknown as LiveServerEventOf<'session.input_transcript.delta'>);
      case 'session.instructions.appended':
        return [...this.appendedConfirmed(wire.client_event_id), wire as unknown as ServerEvent];
      case 'session.delegation.created':
        this.delegationCreated(wire as unknown as LiveServerEventOf<'session.delegation.created'>);
        return [wire as unknown as ServerEvent];
      case 'response.event':
        return [...this.delegatedEvent(wire as unknown as LiveServerEventOf<'response.event'>), wire as unknown as ServerEvent];
      case 'error':
        return [this.error(wire as unknown as LiveServerEventOf<'error'>)];
      case 'session.closed':
        return [...this.sessionEnded(), wire as unknown as ServerEvent];
      default:
        // Usage, mute acknowledgements, delegations, info: Live's own, for whoever knows them.
        return [wire as unknown as ServerEvent];
    }
  }

  private sessionStarted(event: LiveServerEventOf<'session.started'>): ServerEvent[] {
    this.started = true;
    const held = this.held.splice(0);
    if (held.length) queueMicrotask(() => this.options.sendWire(held));
    const session = gaSessionOf(event.session as LiveSessionResource);
    return [
      { type: 'session.created', event_id: '', session },
      { type: 'session.updated', event_id: '', session },
      event as unknown as ServerEvent,
    ] as unknown as ServerEvent[];
  }

  private outputAudio(delta: string): ServerEvent[] {
    const events = this.openReply();
    const reply = this.reply!;
    if (!reply.cancelled) events.push(replyAudio(reply.ids, delta));
    return events;
  }

  private outputTranscript(event: LiveServerEventOf<'session.output_transcript.delta'>): ServerEvent[] {
    if (!event.delta) return [];
    const events = this.openReply();
    const reply = this.reply!;
    reply.transcript += event.delta;
    if (!reply.cancelled) events.push(replyTranscript(reply.ids, event.delta));
    return events;
  }

  /** Assistant output (re)starts the silence clock; the first of a reply opens it and ends the user's turn. */
  private openReply(): ServerEvent[] {
    this.restartSilence();
    if (this.reply) {
      this.reply.held = false;
      return [];
    }
    const events = this.endUser();
    const ids: ReplyIds = { responseId: this.nextId('resp'), itemId: this.nextId('item'), metadata: this.requestTag };
    this.requestTag = null;
    this.reply = { ids, transcript: '', cancelled: false, held: false };
    this.lastItemId = ids.itemId;
    return [...events, ...replyStarted(ids)];
  }

  private inputTranscript(event: LiveServerEventOf<'session.input_transcript.delta'>): ServerEvent[] {
    const resumes = this.user !== undefined && event.start_ms - this.user.endMs < LIVE_USER_PAUSE_MS;
    // Live's transcript is one stream: the space that joins a fragment to the user's earlier words does not open a new item.
    const delta = resumes ? event.delta : event.delta.trimStart();
    if (!delta) return [];
    // The user speaking closes the assistant's segment at once (the grouper's speaker change).
    const events = [...this.endReply('completed'), ...(resumes ? [] : this.endUser())];
    if (!this.user) {
      const itemId = this.nextId('item');
      events.push(...userStarted(itemId, event.start_ms, this.lastItemId));
      this.user = { itemId, transcript: '', endMs: event.end_ms };
    }
    const user = this.user;
    user.transcript += delta;
    user.endMs = Math.max(user.endMs, event.end_ms);
    events.push(userTranscript(user.itemId, delta));
    this.restartSilence();
    this.restartUserQuiet();
    return events;
  }

  /**
   * The session is over (closed, or its connection gone). A reply still under way did not end
   * by silence: the end cut it off, so it gets no response.done, as a GA response its
   * connection lost never does; had it been taken as completed, the line it would have
   * answered would count as answered though its answer never finished. The user's words end.
   */
  private sessionEnded(): ServerEvent[] {
    this.clearSilence();
    this.clearUserQuiet();
    this.reply = undefined;
    return this.endUser();
  }

  private endUser(): ServerEvent[] {
    const user = this.user;
    if (!user) return [];
    this.user = undefined;
    this.clearUserQuiet();
    const previous = this.lastItemId;
    this.lastItemId = user.itemId;
    return userFinished(user.itemId, user.endMs, user.transcript, previous);
  }

  private endReply(status: 'completed' | 'cancelled'): ServerEvent[] {
    const reply = this.reply;
    if (!reply) return [];
    this.reply = undefined;
    return reply.cancelled ? [] : replyFinished(reply.ids, reply.transcript, status);
  }

  /** kaiwa stopped listening to this reply: GA hears it end now; Live's remaining output of it is dropped. */
  private cancelReply(): ServerEvent[] {
    const reply = this.reply;
    if (!reply || reply.cancelled) return [];
    const events = replyFinished(reply.ids, reply.transcript, 'cancelled');
    reply.cancelled = true;
    return events;
  }

  private appendedConfirmed(clientEventId: unknown): ServerEvent[] {
    const item = typeof clientEventId === 'string' ? this.appended.get(clientEventId) : undefined;
    if (!item) return [];
    this.appended.delete(clientEventId as string);
    return this.confirm(item);
  }

  private confirm(item: Json): ServerEvent[] {
    const previous = this.lastItemId;
    if (typeof item.id === 'string') this.lastItemId = item.id;
    return itemConfirmed(item, previous);
  }

  /** Work kaiwa's tools may be asked for (a Responses backend's); a client or Decisions delegation is not kaiwa's to answer. */
  private delegationCreated(event: LiveServerEventOf<'session.delegation.created'>): void {
    if (event.delegation.target === 'responses') this.delegations.created(event.delegation.id);
  }

  /** A delegated Responses backend asked for kaiwa's function tools: one out-of-band GA response of calls. */
  private delegatedEvent(event: LiveServerEventOf<'response.event'>): ServerEvent[] {
    const calls = this.delegated.add(event.event);
    if (!finishesResponse(event.event)) return [];
    this.delegations.backendFinished(event.delegation_id, (calls ?? []).map((call) => call.callId));
    return [...(calls ? delegatedToolCalls(this.nextId('resp'), calls) : []), ...this.releaseHeldReply()];
  }

  /** The last open delegation closed: a reply that only waited for it ends now. */
  private releaseHeldReply(): ServerEvent[] {
    if (this.delegations.any || !this.reply?.held) return [];
    return this.endReply('completed');
  }

  private error(event: LiveServerEventOf<'error'>): ServerEvent {
    const { client_event_id: clientEventId, ...error } = event.error;
    const causedBy = clientEventId ?? event.client_event_id;
    const refusedStart = !this.started && causedBy !== undefined && causedBy === this.startEventId;
    return {
      type: 'error', event_id: event.event_id,
      error: { ...error, ...(refusedStart ? { type: START_REFUSED_ERROR_TYPE } : {}), ...(causedBy ? { event_id: causedBy } : {}) },
    } as unknown as ServerEvent;
  }

  private restartSilence(): void {
    this.clearSilence();
    this.silenceTimer = this.timers.set(() => this.onSilence(), this.silenceMs);
  }

  private clearSilence(): void {
    if (this.silenceTimer !== undefined) this.timers.clear(this.silenceTimer);
    this.silenceTimer = undefined;
  }

  private onSilence(): void {
    this.silenceTimer = undefined;
    const waits = this.reply !== undefined && this.delegations.any;
    if (waits) this.reply!.held = true;
    const events = this.stamp(waits ? [] : this.endReply('completed'));
    if (events.length) this.options.deliver(events);
  }

  private restartUserQuiet(): void {
    this.clearUserQuiet();
    this.userQuietTimer = this.timers.set(() => this.onUserQuiet(), LIVE_USER_QUIET_MS);
  }

  private clearUserQuiet(): void {
    if (this.userQuietTimer !== undefined) this.timers.clear(this.userQuietTimer);
    this.userQuietTimer = undefined;
  }

  private onUserQuiet(): void {
    this.userQuietTimer = undefined;
    const events = this.stamp(this.endUser());
    if (events.length) this.options.deliver(events);
  }

  private stamp(events: ServerEvent[]): ServerEvent[] {
    for (const event of events) {
      const stamped = event as { event_id?: string };
      if (!stamped.event_id) stamped.event_id = this.nextEventId('event');
    }
    return events;
  }

  private nextId(kind: string): string {
    this.counter += 1;
    return `${kind}_live_${this.counter}`;
  }

  private nextEventId(kind: string): string {
    this.eventCounter += 1;
    return `${kind}_live_e${this.eventCounter}`;
  }
}
