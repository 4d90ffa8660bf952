import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { WavFileWriter } from '../audio/wav-file-writer.js';
import { bufferToInt16 } from '../audio/pcm16.js';
import { describeFileError } from '../file-errors.js';
import { prepareRecordingFolder } from './recording-folder.js';
import { KaiwaError } from '../errors.js';
import type { PriceOverrides } from '../cost/pricing.js';
import type { ClientEvent, ClientEventOf, ServerEvent, ServerEventOf } from '../protocol/events.js';
import { VERSION } from '../version.js';
import { writeFileAtomically } from './atomic-file.js';
import { withoutAudio } from './audio-payloads.js';
import { JsonlWriter } from './jsonl-writer.js';
import { Redactor } from './redactor.js';
import {
  CONVERSATION_WAV, EVENTS_JSONL, META_ASSISTANT_INTERRUPTED, META_LOCAL_EVENT, META_RECORDING_STARTED, META_RECORDING_STOPPED, TRANSCRIPT_MD,
  type Direction, type EventRecord, type RecordedEvent,
} from './recording-files.js';
import { StereoTimeline } from './stereo-timeline.js';
import { TranscriptBuilder } from './transcript-builder.js';
import { renderMarkdown } from './transcript-format.js';

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
  /** kaiwa's built-in local server answered: transcript.md (and replay) say "free". */
  free?: boolean;
  /** Told once if recording fails (disk full, say); the conversation goes on without it. */
  onError?: (error: Error) => void;
  /** Keep the frames that crossed the network (wireEvent) instead of kaiwa's own events. */
  wire?: WireRecording;
}

/**
 * A recording of the wire, for a protocol kaiwa translates at its edge (GPT-Live):
 * events.jsonl holds the frames as sent and received, while transcript.md and the WAV
 * still follow kaiwa's own events.
 */
export interface WireRecording {
  /** Named in the recording's first note, so that a replay knows how to read the frames. */
  protocol: string;
  /** kaiwa's events that no frame carries (the edge answers them itself): kept as notes for a replay. */
  isLocal(event: ClientEvent): boolean;
}

/**
 * How often audio and the transcript reach the disk, and how far behind "now" the audio
 * stays: the lag leaves room to place a just-arrived mic chunk before it is final. A
 * process killed at any moment loses at most lag + interval ≈ 0.55 s of audio; events
 * are written the moment they happen.
 */
const FLUSH_EVERY_MS = 250;
const AUDIO_LAG_MS = 300;

type AppendEvent = ClientEventOf<'input_audio_buffer.append'>;
type DeltaEvent = ServerEventOf<'response.output_audio.delta'>;

/** Events carrying a chunk of the conversation's audio: each comes once, with its PCM, through userAudio() or assistantAudio(). */
const AUDIO_CHUNK_EVENTS: ReadonlySet<string> = new Set(['input_audio_buffer.append', 'response.output_audio.delta']);

/**
 * Records a conversation into a directory as it happens, for `--record DIR`:
 * conversation.wav (you left, assistant right, on the wall clock since recording began),
 * transcript.md and events.jsonl. The assistant's channel holds what a player would have
 * played: each chunk starts when it arrived or when the previous one ended, whichever is
 * later, and an interruption or truncation removes what was never heard. Each audio chunk
 * comes once, from whoever holds both its event and its PCM; every other event comes
 * through clientEvent() and serverEvent().
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
  /** Items the player stopped: their later audio is dropped, as the player drops it. */
  private readonly silencedItems = new Set<string>();
  /** Items whose audio is still arriving. */
  private readonly streamingItems = new Set<string>();
  private transcriptDirty = true;
  private lastFlushMs = 0;
  private readonly timer: NodeJS.Timeout;
  private state: 'recording' | 'failed' | 'closed' = 'recording';
  private closing: Promise<void> | undefined;
  /** Wire frames carrying the user's audio whose place in the WAV is not known yet, by event id. */
  private readonly unplacedUserFrames = new Map<string, RecordedEvent>();
  /** Where the user's audio of an append went, for its frame still to come (sent later than made). */
  private readonly userAudioPlaces = new Map<string, number>();
  /** The last frame of the assistant's audio, until kaiwa's event for it says where it was played. */
  private unplacedAssistantFrame: { frame: RecordedEvent; field: string } | undefined;

  constructor(readonly dir: string, private readonly options: SessionRecorderOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startMs = this.now();
    this.sampleRate = options.sampleRate;
    this.redactor = new Redactor(options.secrets);
    this.transcript = new TranscriptBuilder({ model: options.model, prices: options.prices, free: options.free });
    prepareRecordingFolder(dir);
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
      ...(options.free ? { free: true } : {}),
      ...(options.wire ? { protocol: options.wire.protocol, events: 'wire' } : {}),
    });
    this.writeTranscript();
    // Flushes during silence too, when no call would trigger it; unref: never keeps the process alive.
    this.timer = setInterval(() => this.guard(() => this.flush(false)), FLUSH_EVERY_MS).unref();
  }

  /** It keeps the frames of the wire (a recording of GPT-Live), not kaiwa's own events. */
  get recordsWire(): boolean {
    return this.options.wire !== undefined;
  }

  clientEvent(event: ClientEvent): void {
    if (AUDIO_CHUNK_EVENTS.has(event.type)) return;
    this.guard(() => {
      this.recordEvent('client', asRecorded(event));
      if (this.options.wire?.isLocal(event)) this.writeFile('meta', { type: META_LOCAL_EVENT, event: asRecorded(event) });
    });
  }

  /**
   * A frame as it crossed the network, for a recording of the wire. `audioField` names the
   * field of a frame that carries a chunk of the conversation's audio: the payload is
   * replaced by its place in the WAV, known once kaiwa's own event for the chunk comes.
   */
  wireEvent(dir: 'client' | 'server', frame: RecordedEvent, audioField?: string): void {
    if (!this.options.wire) return;
    this.guard(() => {
      if (!audioField) return this.writeFile(dir, frame);
      if (dir === 'server') {
        this.flushAssistantFrame(null);
        this.unplacedAssistantFrame = { frame, field: audioField };
        return;
      }
      const eventId = typeof frame.event_id === 'string' ? frame.event_id : '';
      const place = this.userAudioPlaces.get(eventId);
      this.userAudioPlaces.delete(eventId);
      if (place !== undefined) this.writeFile('client', withoutAudio(frame, place, audioField));
      else this.unplacedUserFrames.set(eventId, withoutAudio(frame, null, audioField));
    });
  }

  serverEvent(event: ServerEvent): void {
    if (AUDIO_CHUNK_EVENTS.has(event.type)) return;
    this.guard(() => this.recordEvent('server', asRecorded(event)));
  }

  /**
   * A chunk of the user's audio as it went out (mono PCM16 at the session rate), with the
   * append that carried it: none when the network dropped it, though it was still said.
   * It arrives just after it was captured, so it began its own length ago; it never
   * overlaps the previous chunk nor lands in audio already written.
   */
  userAudio(pcm: Buffer, sent: AppendEvent | undefined): void {
    this.guard(() => {
      const samples = toSamples(pcm);
      const start = Math.max(this.nowFrame() - samples.length, this.timeline.userEnd);
      this.timeline.placeUser(start, samples);
      if (sent && this.options.wire) this.placeUserFrame(sent.event_id ?? '', this.framesToMs(start));
      else if (sent) this.write('client', withoutAudio(asRecorded(sent), this.framesToMs(start)));
      this.maybeFlush();
    });
  }

  /**
   * A chunk of the assistant's audio: the delta that carried it and the decoded mono PCM16
   * the player got (none when the player dropped it, its item interrupted).
   */
  assistantAudio(delta: DeltaEvent, pcm: Buffer | undefined): void {
    this.guard(() => {
      const heard = pcm !== undefined && !this.silencedItems.has(delta.item_id);
      const offsetMs = heard ? this.framesToMs(this.placeAssistant(delta.item_id, toSamples(pcm))) : null;
      if (this.options.wire) {
        this.note('server', withoutAudio(asRecorded(delta), offsetMs));
        this.flushAssistantFrame(offsetMs);
      } else {
        this.write('server', withoutAudio(asRecorded(delta), offsetMs));
      }
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
      this.flushAssistantFrame(null);
      for (const frame of this.unplacedUserFrames.values()) this.writeFile('client', frame);
      this.unplacedUserFrames.clear();
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
    if (dir === 'client') this.applyClientCuts(event);
    if (event.type === 'response.output_audio.done' && typeof event.item_id === 'string') this.streamingItems.delete(event.item_id);
    if (this.options.wire) this.note(dir, event);
    else this.write(dir, withoutAudio(event, null));
    this.maybeFlush();
  }

  /** The user's append was placed in the WAV: its frame is written with the place, now or when it goes out. */
  private placeUserFrame(eventId: string, offsetMs: number): void {
    const frame = this.unplacedUserFrames.get(eventId);
    if (!frame) {
      this.userAudioPlaces.set(eventId, offsetMs);
      return;
    }
    this.unplacedUserFrames.delete(eventId);
    const placeholder = Object.values(frame).find(isPlaceholder);
    if (placeholder) placeholder.wavOffsetMs = offsetMs;
    this.writeFile('client', frame);
  }

  /** The assistant's last audio frame, with where kaiwa played it (null: it was dropped, never heard). */
  private flushAssistantFrame(offsetMs: number | null): void {
    const pending = this.unplacedAssistantFrame;
    if (!pending) return;
    this.unplacedAssistantFrame = undefined;
    this.writeFile('server', withoutAudio(pending.frame, offsetMs, pending.field));
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
  }

  /** A player starts a chunk when it arrives or when the previous one ends, whichever is later. */
  private placeAssistant(itemId: string, samples: Int16Array): number {
    const start = Math.max(this.nowFrame(), this.timeline.assistantEnd);
    this.streamingItems.add(itemId);
    this.timeline.placeAssistant(itemId, start, samples);
    return start;
  }

  /** To events.jsonl and the transcript. */
  private write(dir: Direction, event: RecordedEvent): void {
    const record = this.writeFile(dir, event);
    if (this.transcript.add(record)) this.transcriptDirty = true;
  }

  private writeFile(dir: Direction, event: RecordedEvent): EventRecord {
    const record: EventRecord = { t: Math.round(this.elapsedMs()), dir, event: this.redactor.value(event) };
    this.events.write(record);
    return record;
  }

  /** To the transcript only (a recording of the wire keeps frames, not kaiwa's events). */
  private note(dir: Direction, event: RecordedEvent): void {
    if (this.transcript.add({ t: Math.round(this.elapsedMs()), dir, event })) this.transcriptDirty = true;
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

function openEvents(path: string): JsonlWriter {
  try {
    return new JsonlWriter(path);
  } catch (error) {
    throw new KaiwaError(`cannot write ${path}: ${describeFileError(error)}`);
  }
}

function isPlaceholder(value: unknown): value is { wavOffsetMs: number | null } {
  return typeof value === 'object' && value !== null && 'wavOffsetMs' in value && 'bytes' in value;
}

function asRecorded(event: ClientEvent | ServerEvent): RecordedEvent {
  return event as unknown as RecordedEvent;
}

/** Whole samples only: a stray odd byte is a fragment of nothing. */
function toSamples(pcm: Buffer): Int16Array {
  return bufferToInt16(pcm.subarray(0, pcm.length - (pcm.length % 2)));
}
