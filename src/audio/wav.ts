import { readFileSync } from 'node:fs';
import { KaiwaError } from '../errors.js';
import { describeFileError } from './file-errors.js';
import { alawByteToPcm16, ulawByteToPcm16 } from './g711.js';
import { int16ToBuffer } from './pcm16.js';
import { pcm16WavHeader } from './wav-header.js';

export type WavEncoding = 'pcm' | 'float' | 'mulaw' | 'alaw';

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** As stored in the file (valid bits for WAVE_FORMAT_EXTENSIBLE). */
  bitsPerSample: number;
  encoding: WavEncoding;
  /** Converted to PCM16, channels interleaved. */
  samples: Int16Array;
}

/** The WAV input can't be used; the message is one line meant for the user. */
export class WavFormatError extends KaiwaError {}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..1 carry the format tag. */
const SUBFORMAT_GUID_TAIL = Buffer.from('000000001000800000aa00389b71', 'hex');
/** Streaming writers don't know the length yet and leave 0 or all ones in the size field. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MP3',
};

interface FmtChunk {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  bytesPerSample: number;
}

interface ChunkHeader {
  id: string;
  size: number;
  bodyOffset: number;
}

export function parseWav(buf: Buffer): WavAudio {
  assertRiffWave(buf);
  let fmt: FmtChunk | undefined;
  for (let offset = 12; offset + 8 <= buf.length;) {
    const chunk = readChunkHeader(buf, offset);
    if (chunk.id === 'data') {
      if (!fmt) throw new WavFormatError('invalid WAV file: the audio data comes before the "fmt " chunk (or it is missing)');
      return { ...describe(fmt), samples: decodeSamples(dataBody(buf, chunk), fmt) };
    }
    if (chunk.id === 'fmt ') fmt = parseFmt(chunkBody(buf, chunk));
    // RIFF chunks are padded to even sizes; the pad byte is not counted in size.
    offset = chunk.bodyOffset + chunk.size + (chunk.size % 2);
  }
  throw new WavFormatError(fmt ? 'invalid WAV file: no "data" chunk (truncated?)' : 'invalid WAV file: no "fmt " chunk (truncated?)');
}

/** A PCM16 WAV file in memory: header and interleaved little-endian samples. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels: number): Buffer {
  if (samples.length % channels !== 0) {
    throw new RangeError(`${samples.length} samples do not divide into ${channels} channels`);
  }
  const data = int16ToBuffer(samples);
  return Buffer.concat([pcm16WavHeader(sampleRate, channels, data.length), data]);
}

/** Synchronous so callers can report a bad file before doing anything else. */
export function readWavFile(path: string): WavAudio {
  let contents: Buffer;
  try {
    contents = readFileSync(path);
  } catch (error) {
    throw new KaiwaError(`cannot read ${path}: ${describeFileError(error)}`);
  }
  try {
    return parseWav(contents);
  } catch (error) {
    if (error instanceof WavFormatError) throw new WavFormatError(`${path}: ${error.message}`);
    throw error;
  }
}

function assertRiffWave(buf: Buffer): void {
  const riff = buf.toString('ascii', 0, 4);
  // RF64 is RIFF for files over 4 GiB; its 32-bit sizes read 0xFFFFFFFF, handled below.
  if (buf.length < 12 || (riff !== 'RIFF' && riff !== 'RF64') || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a WAV file (no RIFF/WAVE header)');
  }
}

function readChunkHeader(buf: Buffer, offset: number): ChunkHeader {
  return { id: buf.toString('ascii', offset, offset + 4), size: buf.readUInt32LE(offset + 4), bodyOffset: offset + 8 };
}

function chunkBody(buf: Buffer, chunk: ChunkHeader): Buffer {
  if (chunk.bodyOffset + chunk.size > buf.length) {
    throw new WavFormatError(`truncated WAV file: the "${chunk.id.trim()}" chunk runs past the end of the file`);
  }
  return buf.subarray(chunk.bodyOffset, chunk.bodyOffset + chunk.size);
}

function dataBody(buf: Buffer, chunk: ChunkHeader): Buffer {
  if (UNKNOWN_SIZES.has(chunk.size)) return buf.subarray(chunk.bodyOffset);
  const present = buf.length - chunk.bodyOffset;
  if (chunk.size > present) {
    throw new WavFormatError(`truncated WAV file: the data chunk declares ${chunk.size} bytes but only ${present} are present`);
  }
  return buf.subarray(chunk.bodyOffset, chunk.bodyOffset + chunk.size);
}

function parseFmt(body: Buffer): FmtChunk {
  if (body.length < 16) throw new WavFormatError(`invalid WAV file: the "fmt " chunk is ${body.length} bytes, expected at least 16`);
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const blockAlign = body.readUInt16LE(12);
  const containerBits = body.readUInt16LE(14);
  const { formatTag, validBits } = resolveExtensible(body, containerBits);
  if (channels === 0) throw new WavFormatError('invalid WAV file: 0 channels');
  if (sampleRate === 0) throw new WavFormatError('invalid WAV file: sample rate 0');
  const encoding = encodingOf(formatTag, containerBits);
  // Trust blockAlign for the container when it is consistent: 24 valid bits may sit in 4 bytes.
  const minimumBytes = Math.ceil(containerBits / 8);
  const alignedBytes = blockAlign / channels;
  const bytesPerSample = Number.isInteger(alignedBytes) && alignedBytes >= minimumBytes ? alignedBytes : minimumBytes;
  assertSupportedWidth(encoding, bytesPerSample, containerBits);
  return { encoding, channels, sampleRate, bitsPerSample: validBits, bytesPerSample };
}

/** WAVE_FORMAT_EXTENSIBLE keeps the real format tag in the first bytes of a GUID. */
function resolveExtensible(body: Buffer, containerBits: number): { formatTag: number; validBits: number } {
  const formatTag = body.readUInt16LE(0);
  if (formatTag !== FORMAT_EXTENSIBLE) return { formatTag, validBits: containerBits };
  if (body.length < 40) throw new WavFormatError('invalid WAV file: WAVE_FORMAT_EXTENSIBLE "fmt " chunk is too short');
  const guid = body.subarray(24, 40);
  if (!guid.subarray(2).equals(SUBFORMAT_GUID_TAIL)) {
    throw new WavFormatError(`unsupported WAV encoding: unknown WAVE_FORMAT_EXTENSIBLE sub-format ${guid.toString('hex')}`);
  }
  return { formatTag: guid.readUInt16LE(0), validBits: body.readUInt16LE(18) || containerBits };
}

function encodingOf(formatTag: number, bits: number): WavEncoding {
  switch (formatTag) {
    case FORMAT_PCM: return 'pcm';
    case FORMAT_FLOAT: return 'float';
    case FORMAT_ALAW: return 'alaw';
    case FORMAT_MULAW: return 'mulaw';
  }
  const name = FORMAT_NAMES[formatTag] ?? `format tag 0x${formatTag.toString(16).padStart(4, '0')}`;
  throw new WavFormatError(`unsupported WAV encoding: ${name}, ${bits}-bit (convert it to PCM, e.g. sox in.wav -e signed-integer -b 16 out.wav)`);
}

function assertSupportedWidth(encoding: WavEncoding, bytesPerSample: number, bits: number): void {
  const supported: Record<WavEncoding, number[]> = { pcm: [1, 2, 3, 4], float: [4, 8], mulaw: [1], alaw: [1] };
  if (!supported[encoding].includes(bytesPerSample)) {
    throw new WavFormatError(`unsupported WAV encoding: ${bits}-bit ${encoding}`);
  }
}

function describe(fmt: FmtChunk): Omit<WavAudio, 'samples'> {
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, bitsPerSample: fmt.bitsPerSample, encoding: fmt.encoding };
}

function decodeSamples(data: Buffer, fmt: FmtChunk): Int16Array {
  const frameBytes = fmt.bytesPerSample * fmt.channels;
  // A file cut off mid-frame (streamed, or killed while writing) loses only that frame.
  const sampleCount = Math.floor(data.length / frameBytes) * fmt.channels;
  const readSample = sampleReader(fmt);
  const samples = new Int16Array(sampleCount);
  for (let i = 0; i < sampleCount; i++) samples[i] = readSample(data, i * fmt.bytesPerSample);
  return samples;
}

/**
 * Wider PCM is rounded to the nearest 16-bit value (valid bits are left-justified in
 * their container, so the top 16 bits are what count); float uses the ±1.0 = ±32768
 * convention and saturates, as SoX does.
 */
function sampleReader(fmt: FmtChunk): (data: Buffer, offset: number) => number {
  switch (fmt.encoding) {
    case 'mulaw': return (data, offset) => ulawByteToPcm16(data[offset]!);
    case 'alaw': return (data, offset) => alawByteToPcm16(data[offset]!);
    case 'float':
      return fmt.bytesPerSample === 4
        ? (data, offset) => floatToPcm16(data.readFloatLE(offset))
        : (data, offset) => floatToPcm16(data.readDoubleLE(offset));
  }
  switch (fmt.bytesPerSample) {
    // 8-bit WAV is the one unsigned width: 128 is silence.
    case 1: return (data, offset) => (data[offset]! - 128) << 8;
    case 2: return (data, offset) => data.readInt16LE(offset);
    case 3: return (data, offset) => roundToInt16(data.readIntLE(offset, 3), 8);
    default: return (data, offset) => roundToInt16(data.readInt32LE(offset), 16);
  }
}

function roundToInt16(value: number, droppedBits: number): number {
  return Math.min(32767, Math.round(value / 2 ** droppedBits));
}

function floatToPcm16(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.max(-32768, Math.min(32767, Math.round(value * 32768)));
}
