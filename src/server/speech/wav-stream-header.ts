/**
 * Reads a WAV header off the front of a byte stream. Streaming writers such as
 * `espeak-ng --stdout` can't know the length and put a placeholder in the data size, so
 * the data chunk is taken to run to the end of the stream.
 */
import { readWavLayoutPrefix } from '../../audio/riff-reader.js';
import { WavFormatError, type WavFormat } from '../../audio/wav-format.js';

export interface WavStreamFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

/** A header bigger than this is not one a speech tool writes; stop waiting for it. */
const MAX_HEADER_BYTES = 64 * 1024;

export class WavStreamHeader {
  private buffered = Buffer.alloc(0);
  private format: WavStreamFormat | undefined;

  /**
   * Feeds bytes until the header is complete; then returns the format and the audio
   * bytes that followed it in this push. Returns undefined while more bytes are needed.
   */
  push(bytes: Buffer): { format: WavStreamFormat; audio: Buffer } | undefined {
    if (this.format) throw new Error('WavStreamHeader: header already read');
    this.buffered = Buffer.concat([this.buffered, bytes]);
    const layout = readWavLayoutPrefix(this.buffered);
    if (!layout) {
      if (this.buffered.length > MAX_HEADER_BYTES) throw new WavFormatError('no WAV data chunk in the first 64 KB');
      return undefined;
    }
    this.format = pcm16StreamFormat(layout.format);
    const audio = this.buffered.subarray(layout.dataOffset);
    this.buffered = Buffer.alloc(0);
    return { format: this.format, audio };
  }
}

/** The stream is handed on as raw PCM16, so no other encoding will do. */
function pcm16StreamFormat(format: WavFormat): WavStreamFormat {
  if (format.encoding !== 'pcm' || format.bytesPerSample !== 2) {
    throw new WavFormatError(`unsupported WAV stream: ${format.bitsPerSample}-bit ${format.encoding} (PCM16 expected)`);
  }
  return { sampleRate: format.sampleRate, channels: format.channels, bitsPerSample: 16 };
}
