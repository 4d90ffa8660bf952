/**
 * The checks only `--strict` makes, on each client event before the session handles it.
 * Fields the event type does not have, and an event_id that is not a string, are refused,
 * as the service refuses them; the others are mistakes the service lets pass (and the app
 * then misbehaves in ways that are hard to trace), so they are reported but the event is
 * still handled:
 *
 * - audio appended before the client's first session.update: the audio is read in the
 *   default format, whatever the app meant to configure;
 * - an append that is not whole PCM16 samples, or that carries a WAV file (header and all);
 * - audio streamed steadily at a pace that fits another sample rate (16 kHz microphone
 *   audio sent as 24 kHz arrives at 2/3 of real time).
 */
import { ProtocolFailure, invalidType, unknownParameter } from '../protocol-failure.js';
import type { Json } from '../json-check.js';
import type { AudioFormatName } from '../../protocol/audio-format.js';

const EVENT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  'session.update': ['session'],
  'input_audio_buffer.append': ['audio'],
  'input_audio_buffer.commit': [],
  'input_audio_buffer.clear': [],
  'conversation.item.create': ['item', 'previous_item_id'],
  'conversation.item.retrieve': ['item_id'],
  'conversation.item.truncate': ['item_id', 'content_index', 'audio_end_ms'],
  'conversation.item.delete': ['item_id'],
  'response.create': ['response'],
  'response.cancel': ['response_id'],
  'output_audio_buffer.clear': [],
};

/** A gap longer than this ends a stretch of steady streaming. */
const STREAM_GAP_MS = 500;
/** Streaming this long is enough to tell its pace. */
const PACE_WINDOW_MS = 3000;
const SESSION_RATE = 24000;
/** Rates an app may capture at, and the pace (audio ms per wall ms) each shows as 24 kHz. */
const LIKELY_RATES = [8000, 16000, 44100, 48000];

export interface AppendContext {
  format: AudioFormatName;
  /** The decoded bytes as the client sent them. */
  bytes: Buffer;
}

export class StrictChecks {
  private configured = false;
  private warnedUnconfigured = false;
  private paceReported = false;
  private stream: { startMs: number; lastMs: number; audioMs: number } | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Throws for an event the service would refuse in strict mode (an event_id not a string, unknown top-level fields). */
  refuse(event: Json): void {
    // Without --strict a non-string event_id is only left out of the errors; the service refuses it.
    if (event.event_id !== undefined && typeof event.event_id !== 'string') throw invalidType('event_id', 'a string', event.event_id);
    const fields = EVENT_FIELDS[event.type as string];
    if (!fields) return;
    for (const key of Object.keys(event)) {
      if (key !== 'type' && key !== 'event_id' && !fields.includes(key)) throw unknownParameter(key);
    }
  }

  /** Mistakes in an event that is still handled; none for most events. */
  inspect(event: Json, append: AppendContext | undefined): ProtocolFailure[] {
    if (event.type === 'session.update') this.configured = true;
    if (event.type !== 'input_audio_buffer.append' || !append) return [];
    const found: ProtocolFailure[] = [];
    if (!this.configured && !this.warnedUnconfigured) {
      this.warnedUnconfigured = true;
      found.push(new ProtocolFailure(
        'Audio was appended before the session was configured (no session.update yet): it is read as the default format, audio/pcm at 24000 Hz.',
        'audio_before_session_configured', 'audio',
      ));
    }
    const wav = wavRate(append.bytes);
    if (wav !== undefined) {
      found.push(new ProtocolFailure(
        `The appended audio is a WAV file (${wav} Hz); append raw ${append.format === 'pcm16' ? 'PCM16 at 24000 Hz' : `${append.format} samples`}, without a header.`,
        'invalid_audio_rate', 'audio',
      ));
    } else if (append.format === 'pcm16' && append.bytes.length % 2 === 1) {
      found.push(new ProtocolFailure(
        `The appended audio is ${append.bytes.length} bytes: audio/pcm is 16-bit samples, so each append should hold an even number of bytes.`,
        'invalid_audio_size', 'audio',
      ));
    }
    if (append.format === 'pcm16') {
      const rate = this.pace((append.bytes.length / 2 / SESSION_RATE) * 1000);
      if (rate !== undefined) {
        found.push(new ProtocolFailure(
          `Audio has been streaming at the pace of ${rate} Hz audio sent as 24000 Hz: resample it to 24000 Hz before appending.`,
          'invalid_audio_rate', 'audio',
        ));
      }
    }
    return found;
  }

  /** The sample rate the stream's pace points to, once, after a steady stretch. */
  private pace(audioMs: number): number | undefined {
    if (this.paceReported) return undefined;
    const now = this.now();
    if (!this.stream || now - this.stream.lastMs > STREAM_GAP_MS) {
      // The first chunk was captured before the stretch began: only what follows counts.
      this.stream = { startMs: now, lastMs: now, audioMs: 0 };
      return undefined;
    }
    this.stream.lastMs = now;
    this.stream.audioMs += audioMs;
    const elapsed = now - this.stream.startMs;
    if (elapsed < PACE_WINDOW_MS) return undefined;
    const pace = this.stream.audioMs / elapsed;
    const rate = LIKELY_RATES.find((candidate) => Math.abs(pace - candidate / SESSION_RATE) < 0.06 * (candidate / SESSION_RATE));
    if (rate !== undefined) this.paceReported = true;
    return rate;
  }
}

/** The sample rate in a RIFF/WAVE header at the start of `bytes`, if there is one. */
function wavRate(bytes: Buffer): number | undefined {
  if (bytes.length < 28 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  return bytes.readUInt32LE(24);
}
