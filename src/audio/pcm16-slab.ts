import { BYTES_PER_SAMPLE } from './pcm16.js';

/** One allocation serves ~25 captured chunks of 55 ms at 24 kHz. */
const DEFAULT_SLAB_BYTES = 64 * 1024;

/**
 * Buffers for PCM16 chunks that are handed on and kept (queued, sent later), carved one
 * after the other from a larger allocation, as Node's own pool does for small Buffers,
 * but from a pool large enough for a device's chunks (Node's takes none from 4 KiB on,
 * and each of those is an ArrayBuffer of its own). Every Buffer taken starts at an even
 * byte offset, so it can be written through an Int16Array view. A region is never handed
 * out twice: a chunk taken stays the caller's for as long as it is kept, and a new slab
 * is started when the current one is used up.
 */
export class Pcm16Slab {
  private slab: Buffer | undefined;
  private used = 0;

  constructor(private readonly slabBytes = DEFAULT_SLAB_BYTES) {}

  /** A Buffer of `samples` samples (contents undefined) at an even byte offset. */
  take(samples: number): Buffer {
    const length = samples * BYTES_PER_SAMPLE;
    if (length > this.slabBytes) return Buffer.allocUnsafeSlow(length);
    if (!this.slab || this.used + length > this.slabBytes) {
      this.slab = Buffer.allocUnsafeSlow(this.slabBytes);
      this.used = 0;
    }
    const taken = this.slab.subarray(this.used, this.used + length);
    this.used += length;
    return taken;
  }
}
