import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import type { AudioSource, PcmFormat } from './devices.js';
import { describeFileError } from '../file-errors.js';
import { bytesToMs, int16ToBuffer, msToBytes } from './pcm16.js';
import { downmixToMono, StreamingResampler } from './resample.js';
import { WavStreamDecoder } from './wav-stream-decoder.js';
import { WavFormatError } from './wav-format.js';

const CHUNK_MS = 20;
/**
 * Audio decoded ahead of the time it is due is held up to about this long; beyond it the
 * stream is paused, so a long file (or one piped in at once) is read as it is played, in
 * bounded memory, while a live pipe, never this far ahead, flows untouched.
 */
const MAX_AHEAD_MS = 5000;

export interface WavStreamSourceOptions {
  /** Milliseconds on a monotonic clock (tests pass their own). */
  clock?: () => number;
  /**
   * When the first sample is due. 'arrival' (a pipe): when its audio began to come, as a
   * microphone records from when it is opened. 'start' (a file): at start(); a file was not
   * being spoken while the session was set up, so none of it is owed at once.
   */
  timeFrom?: 'arrival' | 'start';
  /** false: every chunk as soon as it is decoded, not when it would have been spoken (tests, tools). */
  realtime?: boolean;
  /** How far into the stream its header may end (a pipe's within 64 KB; a file's was read whole already). */
  maxHeaderBytes?: number;
}

/**
 * A WAV arriving on a stream (standard input, or a file as it is read) played as a microphone: mono PCM16 at the
 * session rate, in 20 ms chunks, each when its audio would have been spoken, then 'end'.
 * Its clock starts when its audio starts coming, as a microphone records from when it is
 * opened: what came while the session was being set up goes at start(), at once, and a live
 * pipe (a recorder, a stream converter) stays as close to real time as it is. A file piped
 * in at once is paced like a file from there. Only what has not been sent yet is kept, and
 * no more than MAX_AHEAD_MS of it: the stream is read as its audio is played.
 */
export class WavStreamSource extends EventEmitter implements AudioSource {
  private readonly chunkBytes: number;
  private readonly maxQueuedBytes: number;
  private readonly now: () => number;
  private readonly timeFrom: 'arrival' | 'start';
  private readonly realtime: boolean;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private sentBytes = 0;
  /** When the stream's audio began to arrive: the time its first sample stands for. */
  private startedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private streamEnded = false;
  private paused = false;
  private state: 'idle' | 'running' | 'finished' = 'idle';

  /**
   * Resolves once the stream's WAV header is whole and its first audio has come; rejects with
   * a one-line error when the stream ends first or is no usable WAV (before anything is
   * connected or paid for). A header with no audio after it would be played as nothing but
   * the silence that ends a turn: a turn of silence, answered and paid for, as a file with
   * an empty data chunk would be (which is refused too).
   */
  static open(stream: Readable, format: PcmFormat, label: string, options: WavStreamSourceOptions = {}): Promise<WavStreamSource> {
    return new Promise((resolve, reject) => {
      const source = new WavStreamSource(stream, format, label, options);
      source.once('audio', () => resolve(source));
      source.once('error', reject);
    });
  }

  private constructor(private readonly stream: Readable, readonly format: PcmFormat, label: string, options: WavStreamSourceOptions) {
    super();
    this.chunkBytes = msToBytes(CHUNK_MS, format.sampleRate);
    this.maxQueuedBytes = msToBytes(MAX_AHEAD_MS, format.sampleRate);
    this.now = options.clock ?? (() => performance.now());
    this.timeFrom = options.timeFrom ?? 'arrival';
    this.realtime = options.realtime ?? true;
    const decoder = new WavStreamDecoder(options.maxHeaderBytes);
    let resampler: StreamingResampler | undefined;
    let channels = 1;
    let received = 0;
    let heardAudio = false;
    stream.on('data', (bytes: Buffer) => {
      received += bytes.length;
      let samples: Int16Array;
      try {
        samples = decoder.push(bytes);
      } catch (error) {
        return this.fail(error instanceof WavFormatError ? new WavFormatError(`${label}: ${error.message}`) : error as Error);
      }
      if (!resampler && decoder.format) {
        resampler = new StreamingResampler(decoder.format.sampleRate, format.sampleRate);
        channels = decoder.format.channels;
        if (this.timeFrom === 'arrival') this.startedAt = this.now();
      }
      if (!resampler || !samples.length) return;
      this.add(resampler.push(downmixToMono(samples, channels)));
      if (!heardAudio) {
        heardAudio = true;
        this.emit('audio');
      }
    });
    stream.once('end', () => {
      if (!resampler) return this.fail(new WavFormatError(received ? `${label}: ${whyNoHeader(decoder)}` : `${label} is empty (no WAV header, no audio)`));
      if (!heardAudio) return this.fail(new WavFormatError(`${label}: it holds no audio (nothing came after its WAV header)`));
      this.add(resampler.flush());
      this.streamEnded = true;
      this.sendDue();
    });
    stream.once('error', (error: Error) => this.fail(new WavFormatError(`cannot read ${label}: ${describeFileError(error)}`)));
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    if (this.timeFrom === 'start') this.startedAt = this.now();
    // Never emit synchronously: listeners attached right after start() must see chunk 0.
    this.timer = setTimeout(() => this.sendDue(), 0);
  }

  stop(): Promise<void> {
    this.state = 'finished';
    clearTimeout(this.timer);
    this.stream.removeAllListeners('data');
    this.stream.pause();
    this.stream.destroy();
    return Promise.resolve();
  }

  private add(pcm: Int16Array): void {
    if (!pcm.length || this.state === 'finished') return;
    this.queue.push(int16ToBuffer(pcm));
    this.queuedBytes += pcm.length * 2;
    if (this.queuedBytes > this.maxQueuedBytes && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    if (this.state === 'running' && this.timer === undefined) this.sendDue();
  }

  /** Half the room free again: read on (half, so a stream is not paused and resumed at every chunk). */
  private readOnIfRoom(): void {
    if (!this.paused || this.queuedBytes > this.maxQueuedBytes / 2 || this.state === 'finished') return;
    this.paused = false;
    this.stream.resume();
  }

  private sendDue(): void {
    this.timer = undefined;
    if (this.state !== 'running') return;
    const elapsedMs = this.realtime ? this.now() - this.startedAt : Number.POSITIVE_INFINITY;
    while (this.nextChunkBytes() > 0 && this.msAt(this.sentBytes + this.nextChunkBytes()) <= elapsedMs) {
      const chunk = this.take(this.nextChunkBytes());
      this.sentBytes += chunk.length;
      this.emit('data', chunk);
      if (this.state !== 'running') return;
    }
    if (this.streamEnded && this.queuedBytes === 0) {
      this.state = 'finished';
      this.emit('end');
      return;
    }
    const next = this.nextChunkBytes();
    // Nothing whole to send: the stream's next bytes call this again.
    if (next > 0) this.timer = setTimeout(() => this.sendDue(), Math.max(0, this.startedAt + this.msAt(this.sentBytes + next) - this.now()));
  }

  /** A whole chunk, or what is left once the stream has ended; 0 while a chunk is still filling. */
  private nextChunkBytes(): number {
    if (this.queuedBytes >= this.chunkBytes) return this.chunkBytes;
    return this.streamEnded ? this.queuedBytes : 0;
  }

  private take(bytes: number): Buffer {
    const parts: Buffer[] = [];
    let needed = bytes;
    while (needed > 0) {
      const head = this.queue[0]!;
      if (head.length <= needed) {
        parts.push(this.queue.shift()!);
        needed -= head.length;
      } else {
        parts.push(head.subarray(0, needed));
        this.queue[0] = head.subarray(needed);
        needed = 0;
      }
    }
    this.queuedBytes -= bytes;
    this.readOnIfRoom();
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  private fail(error: Error): void {
    if (this.state === 'finished') return;
    this.state = 'finished';
    clearTimeout(this.timer);
    this.stream.removeAllListeners('data');
    this.stream.destroy();
    this.emit('error', error);
  }

  private msAt(byteOffset: number): number {
    return bytesToMs(byteOffset, this.format.sampleRate);
  }
}

function whyNoHeader(decoder: WavStreamDecoder): string {
  try {
    decoder.end();
  } catch (error) {
    if (error instanceof WavFormatError) return error.message;
  }
  return 'it ended inside its WAV header (no audio)';
}
