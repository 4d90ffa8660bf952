import { endianness } from 'node:os';

/** Mono PCM16: two bytes per sample. Named so arithmetic below reads as intent. */
export const BYTES_PER_SAMPLE = 2;

const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/**
 * Copies little-endian PCM16 bytes into a fresh Int16Array. A copy (rather than a view)
 * because Buffers can start at odd byte offsets, where Int16Array views are not allowed,
 * and because a view would silently alias memory the caller may reuse. Audio rates make
 * the copy negligible.
 */
export function bufferToInt16(buf: Buffer): Int16Array {
  assertWholeSamples(buf.length);
  const samples = new Int16Array(buf.length / BYTES_PER_SAMPLE);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(samples.buffer).set(buf);
  } else {
    for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(i * BYTES_PER_SAMPLE);
  }
  return samples;
}

/**
 * The samples of little-endian PCM16 bytes, for reading at once: a view over the Buffer's
 * own memory where it starts at an even byte offset (on a little-endian host), a copy
 * where it does not (see bufferToInt16). Every captured and every played chunk passes
 * through the echo guard: a copy of each is a fresh ArrayBuffer for the collector to
 * sweep. Never to be written to, nor kept past the moment: it may alias the Buffer.
 */
export function int16View(buf: Buffer): Int16Array {
  if (!HOST_IS_LITTLE_ENDIAN || buf.byteOffset % BYTES_PER_SAMPLE !== 0) return bufferToInt16(buf);
  assertWholeSamples(buf.length);
  return new Int16Array(buf.buffer, buf.byteOffset, buf.length / BYTES_PER_SAMPLE);
}

/** Copies samples into a new little-endian Buffer (see bufferToInt16 for why a copy). */
export function int16ToBuffer(samples: Int16Array): Buffer {
  const buf = Buffer.allocUnsafe(samples.length * BYTES_PER_SAMPLE);
  if (HOST_IS_LITTLE_ENDIAN) {
    buf.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  } else {
    for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i], i * BYTES_PER_SAMPLE);
  }
  return buf;
}

/**
 * PCM16 written in the host's byte order (through an Int16Array view) made little-endian,
 * in place: nothing to do on little-endian hosts.
 */
export function hostOrderToLittleEndian(buf: Buffer): Buffer {
  return HOST_IS_LITTLE_ENDIAN ? buf : buf.swap16();
}

export function bytesToMs(bytes: number, sampleRate: number): number {
  return (bytes / BYTES_PER_SAMPLE / sampleRate) * 1000;
}

/** Rounds to whole samples so the result can never split a sample in half. */
export function msToBytes(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000) * BYTES_PER_SAMPLE;
}

export function silence(ms: number, sampleRate: number): Buffer {
  return Buffer.alloc(msToBytes(ms, sampleRate));
}

/**
 * Root-mean-square level relative to full scale (32768), for a level meter:
 * a full-scale square wave is 0 dBFS, a full-scale sine about -3 dBFS, and
 * digital silence (or an empty buffer) is -Infinity.
 */
export function rmsDbfs(buf: Buffer): number {
  const rms = Math.sqrt(meanSquare(buf));
  return rms === 0 ? -Infinity : 20 * Math.log10(rms / 32768);
}

/** 1 / 32768: a sample as a fraction of full scale. A power of two, so scaling is exact. */
export const FULL_SCALE_RECIPROCAL = 1 / 32768;
/**
 * 32768²: squares summed as fractions of full scale, scaled back. Summed as integers, the
 * sum leaves V8's small-integer range at the first loud samples and the optimized code is
 * thrown away and compiled again (seen in --trace-deopt: "reason: overflow"); as fractions
 * it is a double from the start, and the result is the same to the bit (squares of 16-bit
 * samples and their sums are exact in a double either way).
 */
export const FULL_SCALE_SQUARED = 32768 * 32768;

/** Mean of the squared samples (0 for an empty buffer). */
export function meanSquare(buf: Buffer): number {
  const sampleCount = Math.floor(buf.length / BYTES_PER_SAMPLE);
  if (sampleCount === 0) return 0;
  let sumOfSquares = 0;
  // Every captured chunk is measured: a typed view is several times cheaper than readInt16LE.
  if (HOST_IS_LITTLE_ENDIAN && buf.byteOffset % BYTES_PER_SAMPLE === 0) {
    const samples = new Int16Array(buf.buffer, buf.byteOffset, sampleCount);
    for (let i = 0; i < sampleCount; i++) {
      const fraction = samples[i]! * FULL_SCALE_RECIPROCAL;
      sumOfSquares += fraction * fraction;
    }
  } else {
    for (let i = 0; i < sampleCount; i++) {
      const fraction = buf.readInt16LE(i * BYTES_PER_SAMPLE) * FULL_SCALE_RECIPROCAL;
      sumOfSquares += fraction * fraction;
    }
  }
  return (sumOfSquares * FULL_SCALE_SQUARED) / sampleCount;
}

/** -60 dBFS is below room noise on real microphones yet above dither and rounding noise. */
export const DEFAULT_SILENCE_THRESHOLD_DBFS = -60;

export function isSilent(buf: Buffer, thresholdDbfs = DEFAULT_SILENCE_THRESHOLD_DBFS): boolean {
  return rmsDbfs(buf) < thresholdDbfs;
}

/**
 * Pipes deliver bytes, not samples: a read can end in the middle of a sample. This
 * holds back the odd trailing byte and prepends it to the next chunk, so every chunk
 * handed on contains whole samples only.
 */
export class WholeSampleChunker {
  private leftover: Buffer | undefined;

  /** Returns the whole samples available so far (possibly an empty Buffer). */
  push(chunk: Buffer): Buffer {
    const joined = this.leftover ? Buffer.concat([this.leftover, chunk]) : chunk;
    const wholeLength = joined.length - (joined.length % BYTES_PER_SAMPLE);
    this.leftover = wholeLength < joined.length ? joined.subarray(wholeLength) : undefined;
    return joined.subarray(0, wholeLength);
  }

  /** True when a half sample is waiting; at end of stream it is dropped. */
  get hasPartialSample(): boolean {
    return this.leftover !== undefined;
  }
}

function assertWholeSamples(byteLength: number): void {
  if (byteLength % BYTES_PER_SAMPLE !== 0) {
    throw new RangeError(`PCM16 data must have an even number of bytes, got ${byteLength}`);
  }
}
