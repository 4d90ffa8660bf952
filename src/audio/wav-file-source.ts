import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { AudioSource, PcmFormat } from './devices.js';
import { bytesToMs, int16ToBuffer, msToBytes } from './pcm16.js';
import { downmixToMono, resample } from './resample.js';
import { readWavFile } from './wav.js';

export interface WavFileSourceOptions {
  /** Pace chunks like a live microphone (default) or hand them out as fast as possible. */
  realtime?: boolean;
  /** Chunk length; 20 ms matches what a microphone would deliver. */
  chunkMs?: number;
}

const DEFAULT_CHUNK_MS = 20;

/**
 * Plays a WAV file as if it were a microphone: mono PCM16 at the session rate, in
 * 20 ms chunks, then 'end'. stop() ends it early without 'end' (the caller asked for it).
 *
 * Chunk k is due when its audio would have finished being spoken: start + its end
 * time, measured on the monotonic clock. Every timer callback emits all chunks that
 * are due, so a late timer or a busy event loop delays chunks briefly but never shifts
 * the schedule: there is no cumulative drift, and the file takes its own duration.
 */
export class WavFileSource extends EventEmitter implements AudioSource {
  private readonly chunkBytes: number;
  private readonly realtime: boolean;
  private nextOffset = 0;
  private startedAt = 0;
  private cancelPending: (() => void) | undefined;
  private state: 'idle' | 'running' | 'finished' = 'idle';

  /**
   * Reads and converts the whole file now, so a missing or unsupported file throws
   * (a one-line KaiwaError) before anything else happens.
   */
  static open(path: string, format: PcmFormat, options: WavFileSourceOptions = {}): WavFileSource {
    const wav = readWavFile(path);
    const mono = downmixToMono(wav.samples, wav.channels);
    return new WavFileSource(int16ToBuffer(resample(mono, wav.sampleRate, format.sampleRate)), format, options);
  }

  /** Plays PCM16 mono that is already at format.sampleRate. */
  constructor(private readonly pcm: Buffer, readonly format: PcmFormat, options: WavFileSourceOptions = {}) {
    super();
    this.realtime = options.realtime ?? true;
    this.chunkBytes = Math.max(2, msToBytes(options.chunkMs ?? DEFAULT_CHUNK_MS, format.sampleRate));
  }

  get durationMs(): number {
    return this.msAt(this.pcm.length);
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.startedAt = performance.now();
    // Never emit synchronously: listeners attached right after start() must see chunk 0.
    this.scheduleNext();
  }

  stop(): Promise<void> {
    this.state = 'finished';
    this.cancelPending?.();
    this.cancelPending = undefined;
    return Promise.resolve();
  }

  private emitDueChunks(): void {
    this.cancelPending = undefined;
    const elapsedMs = performance.now() - this.startedAt;
    do {
      const chunkEnd = Math.min(this.nextOffset + this.chunkBytes, this.pcm.length);
      if (this.realtime && this.msAt(chunkEnd) > elapsedMs) break;
      const chunk = this.pcm.subarray(this.nextOffset, chunkEnd);
      this.nextOffset = chunkEnd;
      if (chunk.length > 0) this.emit('data', chunk);
    } while (this.realtime && this.state === 'running' && this.nextOffset < this.pcm.length);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (this.state !== 'running') return;
    if (this.nextOffset >= this.pcm.length) {
      this.state = 'finished';
      this.emit('end');
      return;
    }
    if (!this.realtime) {
      // One chunk per turn of the event loop: fast, yet sockets still get to send.
      const immediate = setImmediate(() => this.emitDueChunks());
      this.cancelPending = () => clearImmediate(immediate);
      return;
    }
    const chunkEnd = Math.min(this.nextOffset + this.chunkBytes, this.pcm.length);
    const delay = Math.max(0, this.startedAt + this.msAt(chunkEnd) - performance.now());
    const timeout = setTimeout(() => this.emitDueChunks(), delay);
    this.cancelPending = () => clearTimeout(timeout);
  }

  private msAt(byteOffset: number): number {
    return bytesToMs(byteOffset, this.format.sampleRate);
  }
}
