/**
 * A microphone stand-in: 20 ms PCM chunks on a real-time schedule (an interval timer that
 * catches up, as a sound card's clock does), taken from a script of what to "say".
 */
import { EventEmitter } from 'node:events';
import type { AudioSource, PcmFormat } from '../../src/audio/devices.js';

export const CHUNK_MS = 20;

export class TimerSource extends EventEmitter implements AudioSource {
  readonly format: PcmFormat;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private sent = 0;
  private readonly chunkBytes: number;
  private queue: Buffer = Buffer.alloc(0);
  /** Called with the time a chunk holding the last byte of queued speech was emitted. */
  onSpeechEnd: ((at: number) => void) | undefined;
  /** Called when the first chunk of queued speech is emitted. */
  onSpeechStart: ((at: number) => void) | undefined;
  private speaking = false;

  /** `idle` supplies audio while nothing is queued (silence by default). */
  constructor(sampleRate = 24000, private readonly idle?: (bytes: number) => Buffer) {
    super();
    this.format = { sampleRate };
    this.chunkBytes = (sampleRate * 2 * CHUNK_MS) / 1000;
  }

  /** Queues speech to be "said" from the next chunk on. */
  say(pcm: Buffer): void {
    this.queue = Buffer.concat([this.queue, pcm]);
  }

  get saying(): boolean {
    return this.queue.length > 0;
  }

  start(): void {
    this.startedAt = performance.now();
    this.timer = setInterval(() => this.tick(), CHUNK_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const due = Math.floor((performance.now() - this.startedAt) / CHUNK_MS);
    for (let burst = 0; this.sent < due && burst < 5; burst++) {
      this.sent += 1;
      this.emit('data', this.nextChunk());
    }
  }

  private nextChunk(): Buffer {
    if (this.queue.length === 0) return this.idle?.(this.chunkBytes) ?? Buffer.alloc(this.chunkBytes);
    const chunk = Buffer.alloc(this.chunkBytes);
    this.queue.copy(chunk, 0, 0, this.chunkBytes);
    if (!this.speaking) {
      this.speaking = true;
      this.onSpeechStart?.(performance.now());
    }
    this.queue = this.queue.subarray(Math.min(this.chunkBytes, this.queue.length));
    if (this.queue.length === 0) {
      this.speaking = false;
      // Reported after the chunk is sent: the caller marks the time the listener ran.
      queueMicrotask(() => this.onSpeechEnd?.(performance.now()));
    }
    return chunk;
  }
}

/** Loops `pcm` forever, for a microphone that never stops talking. */
export function looping(pcm: Buffer): (bytes: number) => Buffer {
  let offset = 0;
  return (bytes) => {
    const out = Buffer.alloc(bytes);
    for (let filled = 0; filled < bytes;) {
      const n = pcm.copy(out, filled, offset, Math.min(pcm.length, offset + bytes - filled));
      filled += n;
      offset = (offset + n) % pcm.length;
    }
    return out;
  };
}
