/**
 * Turns espeak-ng's stdout (a WAV stream) into mono PCM16 chunks at the session's rate,
 * each at most 100 ms, handed on as soon as the bytes arrive: a chunk boundary is never
 * waited for.
 */
import { WholeSampleChunker, bufferToInt16, int16ToBuffer } from '../../audio/pcm16.js';
import { StreamingResampler } from '../../audio/resample.js';
import { WavStreamHeader, type WavStreamFormat } from './wav-stream-header.js';

export const MAX_CHUNK_MS = 100;

export class EspeakPcmStream {
  private readonly header = new WavStreamHeader();
  private readonly chunker = new WholeSampleChunker();
  private format: WavStreamFormat | undefined;
  private resampler: StreamingResampler | undefined;
  private readonly maxChunkSamples: number;

  constructor(private readonly outputRate: number) {
    this.maxChunkSamples = Math.max(1, Math.floor((outputRate * MAX_CHUNK_MS) / 1000));
  }

  push(bytes: Buffer): Buffer[] {
    if (!this.format) {
      const start = this.header.push(bytes);
      if (!start) return [];
      // espeak-ng always writes mono; anything else means the stream is not what we think.
      if (start.format.channels !== 1) throw new Error(`expected mono speech, got ${start.format.channels} channels`);
      this.format = start.format;
      this.resampler = new StreamingResampler(start.format.sampleRate, this.outputRate);
      return this.convert(start.audio);
    }
    return this.convert(bytes);
  }

  /** The resampler's tail once espeak-ng has finished. */
  end(): Buffer[] {
    return this.resampler ? this.split(this.resampler.flush()) : [];
  }

  private convert(bytes: Buffer): Buffer[] {
    return this.split(this.resampler!.push(bufferToInt16(this.chunker.push(bytes))));
  }

  private split(samples: Int16Array): Buffer[] {
    const chunks: Buffer[] = [];
    for (let offset = 0; offset < samples.length; offset += this.maxChunkSamples) {
      chunks.push(int16ToBuffer(samples.subarray(offset, offset + this.maxChunkSamples)));
    }
    return chunks;
  }
}
