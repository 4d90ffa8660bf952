/**
 * One GPT-Live session on one socket of kaiwa serve. It runs the same GA ServerSession
 * as `/v1/realtime` (VAD, recognizer, voice, engines) behind a translation: Live commands
 * become GA client events, and the GA session's events become Live's — id-less output
 * audio, transcript fragments stamped on the session timeline, cumulative usage — while
 * everything Live has no word for (items, responses, commits) stays inside. The user's words
 * stream while they speak (Live has no speech-started event: the first input transcript
 * fragment is a client's only sign that the user talks, e.g. to stop playing the reply).
 */
import type { Logger } from '../../logger.js';
import type { Transport } from '../../protocol/transport.js';
import type { LiveAudioFormat, LiveServerEvent, LiveSessionResource } from '../../protocol/live/live-types.js';
import { liveBytesPerMs } from '../../protocol/live/live-audio.js';
import { TYPED_LINE_PREFIX } from '../../protocol/live/live-client-dialect.js';
import { isRecord, type Json } from '../json-check.js';
import { ProtocolFailure } from '../protocol-failure.js';
import { newId } from '../ids.js';
import { LiveTimeline } from './live-timeline.js';
import { localVoiceFor, parseLiveStart, type LiveStartRequest } from './live-start.js';
import { liveAudioEdge, type LiveAudioEdge } from './live-audio-edge.js';
import { StreamedTranscript } from './streamed-transcript.js';
import type { HeardSoFar } from '../speech/streaming-recognizer.js';

/** The GA session inside, as the socket server drives it. */
export interface InnerSession {
  readonly id: string;
  start(): void;
  receive(data: Buffer, isBinary: boolean): void;
  dispose(): void;
}

export interface LiveServerSessionOptions {
  logger: Logger;
  /**
   * Opens the GA session that does the work, writing its events to the given transport and
   * telling `onHeard` the words of each user turn while it is spoken.
   */
  createInner: (transport: Transport, onHeard: (itemId: string, heard: HeardSoFar) => void) => InnerSession;
}

/** Commands kaiwa serve cannot carry out: they need a backend it does not run. */
const UNSUPPORTED = new Set([
  'session.output_audio.fixture.play', 'decision.create', 'decision.item.create', 'decision.item.delete',
  'response.item.create', 'response.create',
]);

const START_EVENT = 'live_start';

export class LiveServerSession {
  private readonly inner: InnerSession;
  private started: LiveStartRequest | undefined;
  private startClientEventId: string | undefined;
  private resource: LiveSessionResource | undefined;
  private timeline: LiveTimeline | undefined;
  /** PCM16 at 16 kHz on the wire is 24 kHz inside. */
  private edge: LiveAudioEdge | undefined;
  private muted = false;
  private closed = false;
  /** The input transcript of each user turn being spoken or recognized, by the inner session's item id. */
  private readonly userTurns = new Map<string, StreamedTranscript>();
  /** Whether the last transcript fragment sent was the user's (the next user words then need a space before them). */
  private userSpokeLast = false;

  constructor(private readonly transport: Transport, private readonly options: LiveServerSessionOptions) {
    this.inner = options.createInner({
      send: (text) => this.fromInner(text),
      get bufferedAmount() { return transport.bufferedAmount; },
      get isOpen() { return transport.isOpen; },
      close: (code, reason) => transport.close(code, reason),
    }, (itemId, heard) => this.userHeard(itemId, heard));
  }

  get id(): string {
    return this.inner.id;
  }

  start(): void {
    // The GA session announces itself (session.created); Live waits for session.start instead.
    this.inner.start();
  }

  receive(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) return this.sendError(new ProtocolFailure('Binary WebSocket messages are not supported; send events as JSON text.', 'invalid_message_format'), undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      return this.sendError(new ProtocolFailure('The message could not be parsed as JSON.', 'invalid_json'), undefined);
    }
    const clientEventId = isRecord(parsed) && typeof parsed.event_id === 'string' ? parsed.event_id.slice(0, 512) : undefined;
    try {
      if (!isRecord(parsed) || typeof parsed.type !== 'string') throw new ProtocolFailure('Each message must be a JSON object with a "type".', 'invalid_message_format');
      this.dispatch(parsed, clientEventId);
    } catch (error) {
      if (error instanceof ProtocolFailure) this.sendError(error, clientEventId);
      else this.options.logger.log('error', `live session ${this.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  dispose(): void {
    this.closed = true;
    this.inner.dispose();
  }

  private dispatch(event: Json, clientEventId: string | undefined): void {
    const type = event.type as string;
    if (type === 'session.start') return this.startSession(event, clientEventId);
    if (!this.resource) throw new ProtocolFailure('Send session.start first and wait for session.started.', 'session_not_started');
    switch (type) {
      case 'session.input_audio.append': return this.appendAudio(event, clientEventId);
      case 'session.input_audio.mute':
      case 'session.input_audio.unmute':
        this.muted = type.endsWith('.mute');
        return this.send({ type: this.muted ? 'session.input_audio.muted' : 'session.input_audio.unmuted', event_id: newId('event'), ...echo(clientEventId) });
      case 'session.instructions.append':
      case 'session.commentary.append':
      case 'session.thinking.append':
        return this.appendContext(type, event, clientEventId);
      case 'session.update':
        return this.send({ type: 'session.updated', event_id: newId('event'), session: this.resource, ...echo(clientEventId) });
      case 'session.close':
        return this.closeSession(clientEventId);
      default:
        if (UNSUPPORTED.has(type)) throw new ProtocolFailure(`kaiwa serve does not support ${type} (it runs no Responses or Decisions backend and plays no fixtures).`, 'unsupported_event');
        throw new ProtocolFailure(`Invalid value: '${type.slice(0, 64)}'. It is not a Live client event.`, 'invalid_value', 'type');
    }
  }

  private startSession(event: Json, clientEventId: string | undefined): void {
    if (this.started) throw new ProtocolFailure('session.start was already sent; the session is started once.', 'session_already_started');
    const request = parseLiveStart(event.session);
    this.started = request;
    this.startClientEventId = clientEventId;
    this.timeline = new LiveTimeline(liveBytesPerMs(request.format));
    this.edge = liveAudioEdge(request.format);
    const format = gaFormat(request.format);
    this.toInner({
      type: 'session.update', event_id: START_EVENT,
      session: {
        type: 'realtime', output_modalities: ['audio'],
        ...(request.config.instructions ? { instructions: request.config.instructions } : {}),
        audio: {
          input: { format, transcription: { model: 'kaiwa-local' }, turn_detection: { type: 'server_vad', create_response: true, interrupt_response: true } },
          output: { format, voice: localVoiceFor(request.voice) },
        },
      },
    });
  }

  private appendAudio(event: Json, clientEventId: string | undefined): void {
    if (typeof event.audio !== 'string') throw new ProtocolFailure("Missing required parameter: 'audio'.", 'missing_required_parameter', 'audio');
    const bytes = Buffer.from(event.audio, 'base64');
    this.timeline!.inputAudio(bytes.length);
    // Muted: the model hears silence, and the session's time goes on.
    const heard = this.muted ? silenceLike(bytes.length, this.started!.format) : bytes;
    const audio = this.edge!.inbound(heard).toString('base64');
    this.toInner({ type: 'input_audio_buffer.append', audio, ...(clientEventId ? { event_id: clientEventId } : {}) });
  }

  /** Appended context goes into the conversation; instructions and commentary are spoken to, thinking is silent. */
  private appendContext(type: string, event: Json, clientEventId: string | undefined): void {
    if (typeof event.content !== 'string') throw new ProtocolFailure("Missing required parameter: 'content'.", 'missing_required_parameter', 'content');
    if (!('delegation_id' in event)) throw new ProtocolFailure("Missing required parameter: 'delegation_id'.", 'missing_required_parameter', 'delegation_id');
    const role = type === 'session.thinking.append' ? 'system' : 'user';
    // kaiwa's client sends a typed line as instructions that say so: the engine (a script's
    // patterns, {heard}) gets the words typed, as it does in the Realtime dialects.
    const text = role === 'user' && event.content.startsWith(TYPED_LINE_PREFIX) ? event.content.slice(TYPED_LINE_PREFIX.length) : event.content;
    this.toInner({ type: 'conversation.item.create', item: { type: 'message', role, content: [{ type: 'input_text', text }] } });
    if (role === 'user') this.toInner({ type: 'response.create' });
    const now = this.timeline!.nowMs;
    const appended = type.replace(/\.append$/, '.appended') as 'session.instructions.appended';
    this.send({ type: appended, event_id: newId('event'), start_ms: now, end_ms: now, ...echo(clientEventId) });
  }

  private closeSession(clientEventId: string | undefined): void {
    this.send({
      type: 'session.closed', event_id: newId('event'), reason: 'close_requested', session: this.resource!,
      usage: { seconds: this.timeline!.seconds }, ...echo(clientEventId),
    });
    this.closed = true;
    this.inner.dispose();
    void this.transport.close(1000, 'session closed');
  }

  /** What the GA session says, as Live says it (or nothing: Live has no items, responses or commits). */
  private fromInner(text: string): void {
    const event = JSON.parse(text) as Json;
    const timeline = this.timeline;
    switch (event.type) {
      case 'session.updated':
        if (this.started && !this.resource) this.sessionStarted(event);
        return;
      case 'error':
        return this.innerError(event);
      default:
    }
    if (!timeline) return;
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this.userTurns.set(String(event.item_id), new StreamedTranscript());
        return timeline.speechStarted(String(event.item_id), Number(event.audio_start_ms));
      case 'input_audio_buffer.speech_stopped':
        return timeline.speechStopped(String(event.item_id), Number(event.audio_end_ms));
      // The GA delta carries the whole transcript at once, as .completed does after it.
      case 'conversation.item.input_audio_transcription.completed':
        return this.userTranscriptDone(String(event.item_id), String(event.transcript ?? ''));
      case 'conversation.item.input_audio_transcription.failed':
        this.userTurns.delete(String(event.item_id));
        return timeline.forgetUser(String(event.item_id));
      case 'response.created':
        return timeline.replyStarted();
      case 'response.output_audio.delta':
        return this.outputAudio(this.edge!.outbound(Buffer.from(String(event.delta), 'base64')));
      case 'response.output_audio.done':
        return this.outputAudio(this.edge!.endOutbound());
      case 'response.output_audio_transcript.delta':
        this.userSpokeLast = false;
        return this.send({ type: 'session.output_transcript.delta', event_id: newId('event'), delta: String(event.delta), ...startEnd(timeline.outputTranscriptSpan()) });
      case 'response.done':
        return this.send({ type: 'session.usage.updated', event_id: newId('event'), usage: { seconds: timeline.seconds } });
      default:
    }
  }

  private outputAudio(wire: Buffer): void {
    if (wire.length === 0) return;
    this.timeline!.outputAudio(wire.length);
    this.send({ type: 'session.output_audio.delta', delta: wire.toString('base64') });
  }

  private sessionStarted(event: Json): void {
    const request = this.started!;
    const session = event.session as Json;
    this.resource = {
      id: String(session.id ?? this.id).replace(/^sess_/, 'sess_live_'),
      expires_at: typeof session.expires_at === 'number' ? session.expires_at : Math.floor(Date.now() / 1000) + 3600,
      model: request.config.model,
      status: 'active',
      audio: { format: request.format, output: { voice: request.voice } },
      ...(request.config.instructions ? { instructions: request.config.instructions } : {}),
      delegation: request.config.delegation ?? null,
    };
    this.send({ type: 'session.started', event_id: newId('event'), session: this.resource, ...echo(this.startClientEventId) });
  }

  /** The user is still speaking: the words that became stable go out now, so a client knows at once that the user talks. */
  private userHeard(itemId: string, heard: HeardSoFar): void {
    const turn = this.userTurns.get(itemId);
    if (!turn) return;
    const first = turn.text === '';
    const delta = turn.heard(heard);
    if (delta) this.sendUserFragment(itemId, delta, false, first);
  }

  /** The turn's final words: whatever of them was not streamed while the user spoke goes out as its last fragment. */
  private userTranscriptDone(itemId: string, transcript: string): void {
    const turn = this.userTurns.get(itemId) ?? new StreamedTranscript();
    const first = turn.text === '';
    const rest = turn.final(transcript);
    if (rest) this.sendUserFragment(itemId, rest, true, first);
    this.userTurns.delete(itemId);
    this.timeline!.forgetUser(itemId);
  }

  /** Live's transcript is one stream: a turn's first words go on after a space when the user's words were the last ones sent. */
  private sendUserFragment(itemId: string, delta: string, last: boolean, first: boolean): void {
    const text = first && this.userSpokeLast ? ` ${delta}` : delta;
    this.userSpokeLast = true;
    this.send({ type: 'session.input_transcript.delta', event_id: newId('event'), delta: text, ...startEnd(this.timeline!.userFragmentSpan(itemId, last)) });
  }

  /** A GA error is Live's error; one caused by the translated session.start names the Live event that caused it. */
  private innerError(event: Json): void {
    const error = isRecord(event.error) ? event.error : {};
    const cause = typeof error.event_id === 'string' ? (error.event_id === START_EVENT ? this.startClientEventId : error.event_id) : undefined;
    if (error.event_id === START_EVENT) this.started = undefined;
    this.send({
      type: 'error', event_id: newId('event'),
      error: {
        type: String(error.type ?? 'server_error'), code: String(error.code ?? 'error'), message: String(error.message ?? ''),
        ...(typeof error.param === 'string' ? { param: error.param } : {}), ...(cause ? { client_event_id: cause } : {}),
      },
      ...echo(cause),
    });
  }

  private sendError(failure: ProtocolFailure, clientEventId: string | undefined): void {
    this.send({
      type: 'error', event_id: newId('event'),
      error: { type: failure.type, code: failure.code, message: failure.message, ...(failure.param ? { param: failure.param } : {}), ...echo(clientEventId) },
      ...echo(clientEventId),
    });
  }

  private toInner(event: Json): void {
    this.inner.receive(Buffer.from(JSON.stringify(event)), false);
  }

  private send(event: LiveServerEvent): void {
    if (this.transport.isOpen) this.transport.send(JSON.stringify(event));
  }
}

function echo(clientEventId: string | undefined): { client_event_id?: string } {
  return clientEventId ? { client_event_id: clientEventId } : {};
}

function startEnd(span: { startMs: number; endMs: number }): { start_ms: number; end_ms: number } {
  return { start_ms: span.startMs, end_ms: Math.max(span.startMs, span.endMs) };
}

function gaFormat(format: LiveAudioFormat): Json {
  return format.type === 'audio/pcm' ? { type: 'audio/pcm', rate: 24000 } : { type: format.type };
}

/** Silence in the session's format: zero samples, or G.711's code for zero. */
function silenceLike(bytes: number, format: LiveAudioFormat): Buffer {
  if (format.type === 'audio/pcmu') return Buffer.alloc(bytes, 0xff);
  if (format.type === 'audio/pcma') return Buffer.alloc(bytes, 0xd5);
  return Buffer.alloc(bytes);
}
