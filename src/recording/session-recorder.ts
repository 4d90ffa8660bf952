import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WavFileWriter } from '../audio/wav-file-writer.js';
import { bufferToInt16 } from '../audio/pcm16.js';
import { describeFileError } from '../audio/file-errors.js';
import { KaiwaError, UsageError } from '../errors.js';
import type { PriceOverrides } from '../cost/pricing.js';
import type { ClientEvent, ServerEvent } from '../protocol/events.js';
import { VERSION } from '../version.js';
import { writeFileAtomically } from './atomic-file.js';
import { liveAudioOf, withoutAudio, type LiveAudio } from './audio-payloads.js';
import { ChunkPairing } from './chunk-pairing.js';
import { JsonlWriter } from './jsonl-writer.js';
import { Redactor } from './redactor.js';
import {
  CONVERSATION_WAV, EVENTS_JSONL, META_ASSISTANT_INTERRUPTED, META_RECORDING_STARTED, META_RECORDING_STOPPED, TRANSCRIPT_MD,
  type Direction, type EventRecord, type RecordedEvent,
} from './recording-files.js';
import { StereoTimeline } from './stereo-timeline.js';
import { TranscriptBuilder } from './transcript-builder.js';
import { renderMarkdown } from './transcript-format.js';
import { WireAudioSizes } from './wire-audio-sizes.js';

export interface SessionRecorderOptions {
  /** The session's PCM16 rate; both channels of conversation.wav use it. */
  sampleRate: number;
  model: string;
  /** Strings never to be written (API keys, tokens). */
  secrets: string[];
  /** Milliseconds on a monotonic clock; tests pass their own. */
  now?: () => number;
  /** Prices from the config file, for the per-turn cost in transcript.md. */
  prices?: PriceOverrides;
  /** Told once if recording fails (disk full, say); the conversation goes on without it. */
  onError?: (error: Error) => void;
}

/**
 * How often audio and the transcript reach the disk, and how far behind "now" the audio
 * stays: the lag leaves room to place a just-arrived mic chunk before it is final. A
 * process killed at any moment loses at most lag + interval ≈ 0.55 s of audio; events
 * are written the moment they happen.
 */
const FLUSH_EVERY_MS = 250;
const AUDIO_LAG_MS = 300;
const USER_KEY = 'user';

/**
 * Records a conversation into a directory as it happens, for `--record DIR`:
 * conversation.wav (you left, assistant right, on the wall clock since recording began),
 * transcript.md and events.jsonl. The assistant's channel holds what a player would have
 * played: each chunk starts when it arrived or when the previous one ended, whichever is
 * later, and an interruption or truncation removes what was never heard.
 */
export class SessionRecorder {
  private readonly now: () => number;
  private readonly startMs: number;
  private readonly sampleRate: number;
  private readonly wav: WavFileWriter;
  private readonly events: JsonlWriter;
  private readonly redactor: Redactor;
  private readonly transcript: TranscriptBuilder;
  private readonly timeline = new StereoTimeline();
  private readonly userPairing = new ChunkPairing();
  private readonly assistantPairing = new ChunkPairing();
  private readonly sizes: WireAudioSizes;
  private userCursor = 0;
  private assistantCursor = 0;
  /** Items the player stopped: their later audio is dropped, as the player drops it. */
  private readonly silencedItems = new Set<string>();
  /** Items whose audio is still arriving. */
  private readonly streamingItems = new Set<string>();
  private transcriptDirty = true;
  private lastFlushMs = 0;
  private readonly timer: NodeJS.Timeout;
  private state: 'recording' | 'failed' | 'closed' = 'recording';
  private closing: Promise<void> | undefined;

  constructor(readonly dir: string, private readonly options: SessionRecorderOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startMs = this.now();
    this.sampleRate = options.sampleRate;
    this.sizes = new WireAudioSizes(options.sampleRate);
    this.redactor = new Redactor(options.secrets);
    this.transcript = new TranscriptBuilder({ model: options.model, prices: options.prices });
    prepareDirectory(dir);
    this.events = openEvents(join(dir, EVENTS_JSONL));
    try {
      this.wav = new WavFileWriter(join(dir, CONVERSATION_WAV), { sampleRate: options.sampleRate, channels: 2 });
    } catch (error) {
      this.events.close();
      throw error;
    }
    this.write('meta', {
      type: META_RECORDING_STARTED, started_at: new Date().toISOString(), model: options.model,
      sample_rate: options.sampleRate, channels: { left: 'user', right: 'assistant' }, kaiwa_version: VERSION,
    });
    this.writeTranscript();
    // Flushes during silence too, when no call would trigger it; unref: never keeps the process alive.
    this.timer = setInterval(() => this.guard(() => this.flush(false)), FLUSH_EVERY_MS).unref();
  }

  clientEvent(event: ClientEvent): void {
    this.guard(() => this.recordEvent('client', event as unknown as RecordedEvent));
  }

  serverEvent(event: ServerEvent): void {
    this.guard(() => this.recordEvent('server', event as unknown as RecordedEvent));
  }

  /** Mono PCM16 at the session rate, as sent to the server. */
  userAudio(pcm: Buffer): void {
    this.guard(() => {
      const samples = toSamples(pcm);
      if (samples.length === 0) return;
      const nowFrame = this.nowFrame();
      const { start, paired } = this.userPairing.fromAudio(USER_KEY, this.elapsedMs(), () => this.reserveUser(nowFrame, samples.length));
      if (paired) this.userCursor = Math.max(this.userCursor, start + samples.length);
      this.timeline.placeUser(start, samples);
      this.maybeFlush();
    });
  }

  /** Mono PCM16 at the session rate, decoded from the server's audio for `itemId`. */
  assistantAudio(itemId: string, pcm: Buffer): void {
    this.guard(() => {
      if (this.silencedItems.has(itemId)) return;
      const samples = toSamples(pcm);
      if (samples.length === 0) return;
      this.streamingItems.add(itemId);
      const nowFrame = this.nowFrame();
      const { start, paired } = this.assistantPairing.fromAudio(itemId, this.elapsedMs(), () => this.reserveAssistant(nowFrame, samples.length));
      if (paired) this.assistantCursor = Math.max(this.assistantCursor, start + samples.length);
      this.timeline.placeAssistant(itemId, start, samples);
      this.maybeFlush();
    });
  }

  /** The player stopped now (barge-in): queued assistant audio was never heard. */
  interruptAssistant(): void {
    this.guard(() => {
      const frame = this.nowFrame();
      const cut = this.timeline.cutAssistantFrom(frame);
      const silenced = new Set([...cut, ...this.streamingItems]);
      this.streamingItems.clear();
      this.assistantCursor = Math.min(this.assistantCursor, Math.max(frame, this.timeline.written));
      for (const itemId of silenced) this.silencedItems.add(itemId);
      if (silenced.size > 0) this.write('meta', { type: META_ASSISTANT_INTERRUPTED, item_ids: [...silenced] });
      this.maybeFlush();
    });
  }

  /** Writes what is left (including queued assistant audio not interrupted) and closes the files. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    clearInterval(this.timer);
    this.guard(() => {
      this.flush(true);
      this.write('meta', { type: META_RECORDING_STOPPED, wav_ms: this.framesToMs(this.timeline.written) });
    });
    const wasRecording = this.state === 'recording';
    this.state = 'closed';
    try {
      this.events.close();
      await this.wav.close();
    } catch (error) {
      if (wasRecording) this.report(error);
    }
  }

  private recordEvent(dir: Direction, event: RecordedEvent): void {
    this.sizes.observe(event);
    if (dir === 'client') this.applyClientCuts(event);
    if (event.type === 'response.output_audio.done' && typeof event.item_id === 'string') this.streamingItems.delete(event.item_id);
    const live = liveAudioOf(event);
    const offsetMs = live ? this.placeFromEvent(live, event) : null;
    this.write(dir, withoutAudio(event, offsetMs));
    this.maybeFlush();
  }

  /** A client that truncates or deletes an item tells what was heard; the rest goes. */
  private applyClientCuts(event: RecordedEvent): void {
    if (event.type !== 'conversation.item.truncate' && event.type !== 'conversation.item.delete') return;
    const itemId = typeof event.item_id === 'string' ? event.item_id : undefined;
    if (!itemId) return;
    const heardMs = event.type === 'conversation.item.truncate' && typeof event.audio_end_ms === 'number' ? event.audio_end_ms : 0;
    this.timeline.truncateItem(itemId, this.msToFrames(heardMs));
    this.silencedItems.add(itemId);
    this.streamingItems.delete(itemId);
    this.assistantCursor = Math.min(this.assistantCursor, this.timeline.assistantEnd);
  }

  /** Where the chunk an event carries sits in the WAV, in ms; null when it is not there. */
  private placeFromEvent(live: LiveAudio, event: RecordedEvent): number | null {
    const frames = this.sizes.frames(live.bytes, live.direction);
    const nowFrame = this.nowFrame();
    if (live.direction === 'input') {
      return this.framesToMs(this.userPairing.fromEvent(USER_KEY, this.elapsedMs(), () => this.reserveUser(nowFrame, frames)).start);
    }
    const itemId = typeof event.item_id === 'string' ? event.item_id : '';
    if (this.silencedItems.has(itemId)) return null;
    this.streamingItems.add(itemId);
    return this.framesToMs(this.assistantPairing.fromEvent(itemId, this.elapsedMs(), () => this.reserveAssistant(nowFrame, frames)).start);
  }

  /**
   * A mic chunk arrives when it has just been captured, so it began its own length ago;
   * it never overlaps the previous chunk nor lands in audio already written.
   */
  private reserveUser(nowFrame: number, frames: number): number {
    const start = Math.max(nowFrame - frames, this.userCursor, this.timeline.written, 0);
    this.userCursor = start + frames;
    return start;
  }

  /** A player starts a chunk when it arrives or when the previous one ends, whichever is later. */
  private reserveAssistant(nowFrame: number, frames: number): number {
    const start = Math.max(nowFrame, this.assistantCursor, this.timeline.written);
    this.assistantCursor = start + frames;
    return start;
  }

  private write(dir: Direction, event: RecordedEvent): void {
    const record: EventRecord = { t: Math.round(this.elapsedMs()), dir, event: this.redactor.value(event) };
    this.events.write(record);
    if (this.transcript.add(record)) this.transcriptDirty = true;
  }

  private maybeFlush(): void {
    if (this.elapsedMs() - this.lastFlushMs >= FLUSH_EVERY_MS) this.flush(false);
  }

  private flush(final: boolean): void {
    const until = final
      ? Math.max(this.timeline.end, this.nowFrame())
      : Math.max(this.timeline.written, this.nowFrame() - this.msToFrames(AUDIO_LAG_MS));
    const frames = this.timeline.render(until);
    if (frames.length > 0) this.wav.append(frames);
    if (this.transcriptDirty || final) this.writeTranscript();
    this.lastFlushMs = this.elapsedMs();
  }

  private writeTranscript(): void {
    const markdown = renderMarkdown(this.transcript, { sampleRate: this.sampleRate });
    writeFileAtomically(join(this.dir, TRANSCRIPT_MD), this.redactor.text(markdown));
    this.transcriptDirty = false;
  }

  /** A recording failure must not end the conversation: report it once and stop recording. */
  private guard(action: () => void): void {
    if (this.state !== 'recording') return;
    try {
      action();
    } catch (error) {
      this.state = 'failed';
      clearInterval(this.timer);
      this.report(error);
    }
  }

  private report(error: unknown): void {
    const reason = error instanceof Error ? error : new Error(String(error));
    this.options.onError?.(new KaiwaError(`recording to ${this.dir} stopped: ${describeFileError(reason)}`));
  }

  private elapsedMs(): number {
    return this.now() - this.startMs;
  }

  private nowFrame(): number {
    return this.msToFrames(this.elapsedMs());
  }

  private msToFrames(ms: number): number {
    return Math.max(0, Math.round((ms * this.sampleRate) / 1000));
  }

  private framesToMs(frames: number): number {
    return Math.round((frames * 1000) / this.sampleRate);
  }
}

function prepareDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new KaiwaError(`cannot record to ${dir}: ${describeFileError(error)}`);
  }
  const existing = [CONVERSATION_WAV, EVENTS_JSONL, TRANSCRIPT_MD].find((name) => existsSync(join(dir, name)));
  if (existing) throw new UsageError(`${dir} already holds a recording (${existing}); choose a new directory for --record`);
}

function openEvents(path: string): JsonlWriter {
  try {
    return new JsonlWriter(path);
  } catch (error) {
    throw new KaiwaError(`cannot write ${path}: ${describeFileError(error)}`);
  }
}

/** Whole samples only: a stray odd byte is a fragment of nothing. */
function toSamples(pcm: Buffer): Int16Array {
  return bufferToInt16(pcm.subarray(0, pcm.length - (pcm.length % 2)));
}
