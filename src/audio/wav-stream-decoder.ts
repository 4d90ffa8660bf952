/**
 * A WAV that arrives in pieces (a pipe: `espeak-ng --stdout`, `ffmpeg … -f wav -`, `sox … -t wav -`):
 * its header once it is whole, then its audio as PCM16, frame by whole frame, in any encoding
 * the file reader takes. The header's placeholder sizes mean the audio runs to the stream's end.
 */
import { readWavLayout, readWavLayoutPrefix, type WavLayout } from './riff-reader.js';
import { decodeSamples } from './wav.js';
import { WavFormatError, type WavFormat } from './wav-format.js';

/** A piped header bigger than this is not one a sound tool writes: stop waiting for it. */
const MAX_HEADER_BYTES = 64 * 1024;

export class WavStreamDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private layout: WavLayout | undefined;
  private audioBytesLeft = Number.POSITIVE_INFINITY;

  /** `maxHeaderBytes`: a file whose header was already found whole may have any (Infinity). */
  constructor(private readonly maxHeaderBytes = MAX_HEADER_BYTES) {}

  /** Known once the header is whole. */
  get format(): WavFormat | undefined {
    return this.layout?.format;
  }

  /** The interleaved PCM16 of the frames these bytes complete; a WavFormatError for a stream that is no usable WAV. */
  push(bytes: Buffer): Int16Array {
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    if (!this.layout && !this.readHeader()) return new Int16Array(0);
    const format = this.layout!.format;
    const frameBytes = format.bytesPerSample * format.channels;
    const usable = Math.min(this.pending.length, this.audioBytesLeft);
    const whole = usable - (usable % frameBytes);
    const samples = decodeSamples(this.pending.subarray(0, whole), format);
    this.audioBytesLeft -= whole;
    this.pending = this.audioBytesLeft > 0 ? this.pending.subarray(whole) : Buffer.alloc(0);
    return samples;
  }

  /** The stream has ended: a WavFormatError saying what is wrong when its header never came whole. */
  end(): void {
    if (!this.layout) readWavLayout(this.pending);
  }

  private readHeader(): boolean {
    const layout = readWavLayoutPrefix(this.pending);
    if (!layout) {
      if (this.pending.length > this.maxHeaderBytes) throw new WavFormatError(`no WAV audio (data chunk) in its first ${this.maxHeaderBytes / 1024} KB`);
      return false;
    }
    this.layout = layout;
    this.audioBytesLeft = layout.declaredDataBytes ?? Number.POSITIVE_INFINITY;
    this.pending = this.pending.subarray(layout.dataOffset);
    return true;
  }
}
