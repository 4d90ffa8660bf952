/**
 * One Realtime session on one socket, speaking the GA protocol internally (the dialect
 * adapts names and shapes at the edge). It dispatches client events, keeps the session
 * configuration, the conversation and the input audio, and runs responses one at a time
 * (plus out-of-band ones), in the event order of the real service.
 */
import type { Logger } from '../logger.js';
import type { Dialect } from '../protocol/dialect.js';
import type { ReplyEngine } from './engines/reply-engine.js';
import type { SpeechParts } from './speech-parts.js';
import type { OutgoingEvent } from './outgoing-event.js';
import type { StoredItem } from './conversation-store.js';
import type { TurnSettings } from './turn-detector.js';
import { ConversationStore } from './conversation-store.js';
import { AudioInput, type AudioInputParts } from './audio-input.js';
import { InputTranscription } from './input-transcription.js';
import { ResponseRunner } from './response-runner.js';
import { planResponse } from './response-plan.js';
import { RateLimitWindow } from './rate-limits.js';
import { IdleTimeout } from './idle-timeout.js';
import { ProtocolFailure, invalidValue } from './protocol-failure.js';
import { integerIn, isRecord, optionalString, string, type Json } from './json-check.js';
import { parseClientItem, userAudioItem } from './conversation-items.js';
import { truncateItem } from './truncation.js';
import { encodeWireAudio } from './wire-audio.js';
import {
  applySessionUpdate, defaultSession, inputFormatName, outputFormatName, sessionForWire, type SessionState,
} from './session-state.js';
import { applyTranscriptionUpdate, transcriptionSessionForWire } from './transcription-session-state.js';
import { newId } from './ids.js';
import type { Transport } from '../protocol/transport.js';
import { MistakeTally, mistakeKind, type MistakeLedger } from './strict/client-mistakes.js';
import { StrictChecks } from './strict/strict-checks.js';
import type { SessionTap } from './cassette/session-cassette.js';
import type { ClientEvent } from '../protocol/events.js';

export interface SessionLimits {
  /** Input audio held before a commit (the service allows 15 minutes). */
  maxBufferedAudioMs: number;
  maxItems: number;
  /** Conversation audio kept for retrieve/truncate. */
  maxStoredAudioBytes: number;
  /** Sessions end after this, like the service's 60 minutes. */
  lifetimeSeconds: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  maxBufferedAudioMs: 15 * 60_000,
  maxItems: 2_000,
  // About 5 minutes of 24 kHz audio: retrieve/truncate need recent items, and 100 sessions stay within 1.6 GB.
  maxStoredAudioBytes: 16 * 1024 * 1024,
  lifetimeSeconds: 60 * 60,
};

export interface ServerSessionOptions {
  engine: ReplyEngine;
  speech: SpeechParts;
  dialect: Dialect;
  model: string;
  logger: Logger;
  limits: SessionLimits;
  /** Opened with `?intent=transcription`: a transcription session from the start. */
  intent?: 'transcription' | undefined;
  /** `--strict`: extra checks, and each session's mistakes counted here when it ends. */
  strict?: MistakeLedger | undefined;
  /** `--record`: where this session's events go. */
  tap?: SessionTap | undefined;
  /** Told the words of a user turn while they are spoken (Live streams its input transcript from them). */
  onHeard?: AudioInputParts['onHeard'];
}

/** Pause audio output while this much is queued for a slow reader. */
const DRAIN_HIGH_WATER = 1024 * 1024;
const DRAIN_POLL_MS = 10;

export const CLIENT_EVENT_TYPES = [
  'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear',
  'conversation.item.create', 'conversation.item.retrieve', 'conversation.item.truncate', 'conversation.item.delete',
  'response.create', 'response.cancel', 'output_audio_buffer.clear',
] as const;

export class ServerSession {
  private state: SessionState;
  private readonly conversation: ConversationStore;
  private readonly conversationId = newId('conv');
  private readonly audioInput: AudioInput;
  private readonly transcription: InputTranscription;
  private readonly rateLimits = new RateLimitWindow();
  /** The conversation's response; out-of-band ones run beside it. */
  private active: ResponseRunner | undefined;
  private readonly outOfBand = new Set<ResponseRunner>();
  private assistantSpoke = false;
  /** A VAD turn ended while the interrupted response was still winding down. */
  private respondWhenIdle = false;
  private closed = false;
  /** Transcription only: committed turns are transcribed, nothing is ever answered. */
  private transcriptionOnly: boolean;
  private readonly expiry: NodeJS.Timeout;
  private readonly idle = new IdleTimeout(() => this.onIdle());
  private readonly engine: ReplyEngine;
  /** Beta clients set a sampling temperature and see it echoed (nothing samples with it here). */
  private temperature = 0.8;
  private readonly strict: { checks: StrictChecks; tally: MistakeTally; ledger: MistakeLedger } | undefined;

  constructor(private readonly transport: Transport, private readonly options: ServerSessionOptions) {
    const { limits, speech, logger } = options;
    this.state = defaultSession(options.model, limits.lifetimeSeconds);
    this.engine = options.engine.forSession?.() ?? options.engine;
    if (options.strict) this.strict = { checks: new StrictChecks(), tally: new MistakeTally(), ledger: options.strict };
    this.transcriptionOnly = options.intent === 'transcription';
    this.conversation = new ConversationStore({ maxItems: limits.maxItems, maxAudioBytes: limits.maxStoredAudioBytes });
    this.transcription = new InputTranscription(speech.transcriber, speech.transcriberMissing ?? 'no speech recognizer is installed', logger);
    this.audioInput = new AudioInput(
      (event) => this.send(event),
      { speechStarted: (settings) => this.onSpeechStarted(settings), committed: (...args) => this.onCommitted(...args) },
      { createDetector: speech.createDetector, recognizer: speech.recognizer, onHeard: options.onHeard }, logger, limits.maxBufferedAudioMs,
    );
    this.audioInput.configure(inputFormatName(this.state), this.state.audio.input.turn_detection);
    this.expiry = setTimeout(() => this.expire(), limits.lifetimeSeconds * 1000);
    this.expiry.unref();
  }

  get id(): string {
    return this.state.id;
  }

  start(): void {
    this.send({ type: 'session.created', session: this.sessionForWire() });
  }

  /** Handles one WebSocket message; never throws (bad input becomes an `error` event). */
  receive(data: string | Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) {
      this.clientMistake(new ProtocolFailure('Binary WebSocket messages are not supported; send events as JSON text.', 'invalid_message_format').saying('a binary message'), null);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
    } catch {
      this.clientMistake(new ProtocolFailure('The message could not be parsed as JSON.', 'invalid_json'), null);
      return;
    }
    const eventId = isRecord(parsed) && typeof parsed.event_id === 'string' ? parsed.event_id.slice(0, 512) : null;
    const eventType = isRecord(parsed) && typeof parsed.type === 'string' ? parsed.type.slice(0, 128) : undefined;
    try {
      if (!isRecord(parsed)) throw new ProtocolFailure('Each message must be a JSON object with a "type".', 'invalid_message_format').saying('a message that is not a JSON object');
      // Left out, it is missing; present but not a string (5, null), it is of the wrong type.
      const type = string(parsed.type, 'type');
      const event = this.options.dialect.clientFromWire({ ...parsed, type }) as unknown as Json;
      this.options.tap?.client(event as unknown as ClientEvent, inputFormatName(this.state));
      if (this.strict) this.checkStrictly(event, eventId);
      this.dispatch(event, eventId);
    } catch (error) {
      if (error instanceof ProtocolFailure) this.clientMistake(error, eventId, eventType);
      else this.internalError(error, eventId);
    }
  }

  /** --strict: refuses what the service refuses, reports what it lets pass (the event is still handled). */
  private checkStrictly(event: Json, eventId: string | null): void {
    const { checks } = this.strict!;
    checks.refuse(event);
    const append = event.type === 'input_audio_buffer.append' && typeof event.audio === 'string'
      ? { format: inputFormatName(this.state), bytes: Buffer.from(event.audio, 'base64') } : undefined;
    for (const failure of checks.inspect(event, append)) this.clientMistake(failure, eventId, event.type as string);
  }

  private clientMistake(failure: ProtocolFailure, eventId: string | null, eventType?: string): void {
    this.strict?.tally.record(mistakeKind(failure, eventType));
    this.sendError(failure, eventId);
  }

  refusedMessage(kind: string): void {
    this.strict?.tally.record(kind);
  }

  /** The socket closed (or the server is shutting down): stop everything this session runs. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.strict?.ledger.closed(this.id, this.strict.tally);
    void this.options.tap?.close();
    clearTimeout(this.expiry);
    this.idle.disarm();
    this.audioInput.close();
    this.active?.cancel('client_cancelled');
    for (const runner of this.outOfBand) runner.cancel('client_cancelled');
  }

  private dispatch(event: Json, eventId: string | null): void {
    switch (event.type) {
      case 'session.update': return this.updateSession(event);
      case 'input_audio_buffer.append': return this.audioInput.append(event.audio);
      case 'input_audio_buffer.commit': return this.audioInput.commit();
      case 'input_audio_buffer.clear': return this.audioInput.clear();
      case 'conversation.item.create': return this.createItem(event);
      case 'conversation.item.retrieve': return this.retrieveItem(event);
      case 'conversation.item.truncate': return this.truncateItem(event);
      case 'conversation.item.delete': return this.deleteItem(event);
      case 'response.create':
      case 'response.cancel':
        if (this.transcriptionOnly) throw noResponsesHere(event.type);
        return event.type === 'response.create' ? this.createResponse(event.response, eventId) : this.cancelResponse(event);
      case 'output_audio_buffer.clear':
        throw new ProtocolFailure('output_audio_buffer.clear is only supported over WebRTC; this is a WebSocket session.', 'unsupported_event', 'type')
          .saying('over a WebSocket (WebRTC only)');
      default:
        throw invalidValue('type', event.type, CLIENT_EVENT_TYPES);
    }
  }

  private updateSession(event: Json): void {
    const type = isRecord(event.session) ? event.session.type : undefined;
    if (type === 'transcription') this.becomeTranscriptionSession(event.session);
    else if (this.transcriptionOnly && type === 'realtime') throw noSwitchBack();
    else this.state = applySessionUpdate(this.state, event.session, { assistantHasSpoken: this.assistantSpoke });
    // The update checked it; only the beta session shows it.
    const temperature = isRecord(event.session) ? event.session.temperature : undefined;
    if (this.options.dialect.name === 'beta' && typeof temperature === 'number') this.temperature = temperature;
    this.audioInput.configure(inputFormatName(this.state), this.state.audio.input.turn_detection);
    this.send({ type: 'session.updated', session: this.sessionForWire() });
  }

  /** A realtime session may turn into a transcription one while no response is running. */
  private becomeTranscriptionSession(update: unknown): void {
    if (this.active || this.outOfBand.size > 0) {
      throw new ProtocolFailure('A response is in progress; wait until it is done before changing the session type.', 'invalid_value', 'session.type')
        .saying('changed while a response is active');
    }
    this.state = applyTranscriptionUpdate(this.state, update);
    this.transcriptionOnly = true;
  }

  private sessionForWire() {
    if (this.transcriptionOnly) return transcriptionSessionForWire(this.state);
    const session = sessionForWire(this.state);
    return this.options.dialect.name === 'beta' ? { ...session, temperature: this.temperature } as typeof session : session;
  }

  private createItem(event: Json): void {
    const previous = event.previous_item_id === null ? undefined : optionalString(event.previous_item_id, 'previous_item_id', 64);
    const stored = parseClientItem(event.item, 'item', this.formats());
    this.addItem(stored, previous);
  }

  private addItem(stored: StoredItem, previous?: string): void {
    const previousItemId = this.conversation.insert(stored, previous);
    this.send({ type: 'conversation.item.added', previous_item_id: previousItemId, item: structuredClone(stored.item) });
    this.send({ type: 'conversation.item.done', previous_item_id: previousItemId, item: structuredClone(stored.item) });
  }

  private retrieveItem(event: Json): void {
    const stored = this.findItem(event.item_id);
    const item = structuredClone(stored.item);
    // Retrieval is how a client gets the audio back, in the session's current formats.
    if (item.type === 'message') {
      item.content.forEach((part, index) => {
        const audio = stored.audio.get(index)?.pcm;
        if (!audio || !('type' in part)) return;
        const format = item.role === 'user' ? inputFormatName(this.state) : outputFormatName(this.state);
        (part as { audio?: string }).audio = encodeWireAudio(audio, format);
      });
    }
    this.send({ type: 'conversation.item.retrieved', item });
  }

  private truncateItem(event: Json): void {
    // The event's own fields first, as the service checks an event's shape before looking its item up.
    const contentIndex = integerIn(event.content_index, 'content_index', 0, 1024);
    const audioEndMs = integerIn(event.audio_end_ms, 'audio_end_ms', 0, Number.MAX_SAFE_INTEGER);
    const stored = this.findItem(event.item_id);
    truncateItem(stored, contentIndex, audioEndMs);
    this.send({ type: 'conversation.item.truncated', item_id: stored.item.id, content_index: contentIndex, audio_end_ms: audioEndMs });
  }

  private deleteItem(event: Json): void {
    const stored = this.findItem(event.item_id);
    this.conversation.delete(stored.item.id);
    this.send({ type: 'conversation.item.deleted', item_id: stored.item.id });
  }

  private findItem(value: unknown): StoredItem {
    const id = string(value, 'item_id', 64);
    const stored = this.conversation.get(id);
    if (!stored) throw new ProtocolFailure(`Item with item_id '${id}' not found.`, 'item_not_found', 'item_id');
    return stored;
  }

  /** `clientEventId`: the response.create that asked for it (its errors name it), null when the server's turn detection did. */
  private createResponse(params: unknown, clientEventId: string | null): void {
    const plan = planResponse(params, {
      session: this.state,
      conversationItems: () => this.conversation.list(),
      lookup: (id) => this.conversation.get(id),
    });
    if (plan.conversation === 'auto' && this.active) {
      throw new ProtocolFailure(
        `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`,
        'conversation_already_has_active_response',
      );
    }
    const runner = new ResponseRunner(plan, {
      emit: (event) => this.send(event),
      engine: this.engine,
      synthesizer: this.options.speech.synthesizer,
      transcriptOf: (stored) => this.transcription.transcriptOf(stored, this.state.audio.input.transcription?.language),
      addToConversation: plan.conversation === 'auto' ? (stored) => this.conversation.insert(stored) : undefined,
      drain: () => this.drain(),
      logger: this.options.logger,
      conversationId: this.conversationId,
      clientEventId,
    });
    if (plan.conversation === 'auto') {
      this.active = runner;
      this.idle.disarm();
    }
    else this.outOfBand.add(runner);
    runner.run().then((result) => {
      if (this.active === runner) this.active = undefined;
      this.outOfBand.delete(runner);
      if (result.audioMs > 0) this.assistantSpoke = true;
      if (runner.plan.conversation === 'auto') this.armIdleTimeout(result.audioMs);
      this.send({ type: 'rate_limits.updated', rate_limits: this.rateLimits.record(result.response.usage?.total_tokens ?? 0) });
      if (this.respondWhenIdle && !this.active && !this.closed) {
        this.respondWhenIdle = false;
        this.createResponse(undefined, null);
      }
    }).catch((error: unknown) => this.internalError(error, clientEventId));
  }

  private cancelResponse(event: Json): void {
    const responseId = optionalString(event.response_id, 'response_id', 64);
    const runner = responseId === undefined ? this.active ?? [...this.outOfBand][0]
      : [this.active, ...this.outOfBand].find((candidate) => candidate?.id === responseId);
    if (!runner) {
      throw new ProtocolFailure('Cancellation failed: no active response found.', 'response_cancel_not_active');
    }
    runner.cancel('client_cancelled');
  }

  private onSpeechStarted(settings: TurnSettings): void {
    this.idle.disarm();
    if (settings.interruptResponse) this.active?.cancel('turn_detected');
  }

  private onCommitted(itemId: string, pcm: Buffer, sampleRate: number, turn: TurnSettings | undefined, liveTranscript?: Promise<string>): void {
    const stored = userAudioItem(itemId, pcm, sampleRate);
    if (liveTranscript) this.transcription.followLive(stored, liveTranscript);
    this.send({ type: 'input_audio_buffer.committed', item_id: itemId, previous_item_id: this.conversation.lastId() });
    this.addItem(stored);
    const transcription = this.state.audio.input.transcription;
    if (transcription) this.transcription.announce(stored, transcription, (event) => this.send(event));
    if (!turn?.createResponse || this.transcriptionOnly) return;
    if (!this.active) this.createResponse(undefined, null);
    // The interrupted response is still closing its items: answer right after it.
    else if (this.active.cancelling) this.respondWhenIdle = true;
    // Otherwise the assistant is still talking (interrupt_response off): no second response.
  }

  /**
   * server_vad's idle_timeout_ms: counted from when the reply's audio would have finished
   * playing (response.done + its duration), as the service does.
   */
  private armIdleTimeout(audioMs: number): void {
    const detection = this.state.audio.input.turn_detection;
    if (detection?.type !== 'server_vad' || detection.idle_timeout_ms === null || this.closed) return;
    this.idle.arm(audioMs + detection.idle_timeout_ms);
  }

  /** The user stayed silent: say so, commit what was heard (if anything) and prompt them. */
  private onIdle(): void {
    const detection = this.state.audio.input.turn_detection;
    if (this.closed || this.active || detection?.type !== 'server_vad' || detection.idle_timeout_ms === null) return;
    const turn = this.audioInput.timeout();
    this.send({ type: 'input_audio_buffer.timeout_triggered', item_id: turn.itemId, audio_start_ms: turn.audioStartMs, audio_end_ms: turn.audioEndMs });
    if (turn.pcm) this.onCommitted(turn.itemId, turn.pcm, turn.sampleRate, undefined);
    this.createResponse(undefined, null);
  }

  private formats() {
    return { input: inputFormatName(this.state), output: outputFormatName(this.state) };
  }

  private async drain(): Promise<void> {
    while (this.transport.isOpen && this.transport.bufferedAmount > DRAIN_HIGH_WATER) {
      await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
    }
  }

  private expire(): void {
    this.sendError(new ProtocolFailure(
      `Your session hit the maximum duration of ${lifetimeText(this.options.limits.lifetimeSeconds)}.`,
      'session_expired',
    ), null);
    this.dispose();
    this.transport.close(1000, 'session expired');
  }

  private sendError(failure: ProtocolFailure, clientEventId: string | null): void {
    this.send({ type: 'error', error: failure.toError(clientEventId) });
  }

  private internalError(error: unknown, clientEventId: string | null): void {
    this.options.logger.log('error', `session ${this.id}: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    this.send({
      type: 'error',
      error: { type: 'server_error', code: 'internal_error', message: 'The server had an error processing this event.', param: null, event_id: clientEventId },
    });
  }

  private send(event: OutgoingEvent): void {
    if (!this.transport.isOpen) return;
    const stamped = { ...event, event_id: newId('event') } as Parameters<Dialect['serverToWire']>[0];
    this.options.tap?.server(stamped, outputFormatName(this.state));
    for (const wire of this.options.dialect.serverToWire(stamped)) this.transport.send(JSON.stringify(wire));
  }
}

function noResponsesHere(type: string): ProtocolFailure {
  return new ProtocolFailure(
    `${type} is not available in a transcription session: it transcribes input audio and never responds.`, 'unsupported_event', 'type',
  ).saying('in a transcription session');
}

function noSwitchBack(): ProtocolFailure {
  return new ProtocolFailure(
    "Invalid value: 'session.type'. A transcription session cannot become a realtime session; open a new connection with ?model=.",
    'invalid_value', 'session.type',
  ).saying('realtime in a transcription session');
}

/** The service says "60 minutes"; a lifetime shortened for a test (--session-minutes 0.05) says its seconds, not "0 minutes". */
function lifetimeText(seconds: number): string {
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  const shown = Math.round(seconds * 10) / 10;
  return `${shown} second${shown === 1 ? '' : 's'}`;
}
