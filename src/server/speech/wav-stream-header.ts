/**
 * Reads a WAV header off the front of a byte stream. Streaming writers such as
 * `espeak-ng --stdout` can't know the length and put a placeholder in the data size, so
 * the data chunk is taken to run to the end of the stream.
 */
export interface WavStreamFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

const FORMAT_PCM = 1;
const FORMAT_EXTENSIBLE = 0xfffe;
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
    const parsed = parseHeader(this.buffered);
    if (!parsed) {
      if (this.buffered.length > MAX_HEADER_BYTES) throw new Error('no WAV data chunk in the first 64 KB');
      return undefined;
    }
    this.format = parsed.format;
    const audio = this.buffered.subarray(parsed.dataOffset);
    this.buffered = Buffer.alloc(0);
    return { format: parsed.format, audio };
  }
}

function parseHeader(buf: Buffer): { format: WavStreamFormat; dataOffset: number } | undefined {
  if (buf.length < 12) return undefined;
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('the stream does not start with a RIFF/WAVE header');
  }
  let format: WavStreamFormat | undefined;
  for (let offset = 12; offset + 8 <= buf.length;) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'data') {
      if (!format) throw new Error('WAV data chunk before its fmt chunk');
      return { format, dataOffset: body };
    }
    if (body + size > buf.length) return undefined;
    if (id === 'fmt ') format = parseFmt(buf.subarray(body, body + size));
    offset = body + size + (size % 2);
  }
  return undefined;
}

function parseFmt(fmt: Buffer): WavStreamFormat {
  const tag = fmt.readUInt16LE(0);
  const format = { channels: fmt.readUInt16LE(2), sampleRate: fmt.readUInt32LE(4), bitsPerSample: fmt.readUInt16LE(14) };
  if ((tag !== FORMAT_PCM && tag !== FORMAT_EXTENSIBLE) || format.bitsPerSample !== 16) {
    throw new Error(`unsupported WAV stream: format ${tag}, ${format.bitsPerSample} bits (PCM16 expected)`);
  }
  return format;
}
