import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { describeFileError } from '../file-errors.js';
import { alawByteToPcm16, ulawByteToPcm16 } from './g711.js';
import { int16ToBuffer } from './pcm16.js';
import { readWavLayout, wavDataBytes } from './riff-reader.js';
import { WavFormatError, type WavEncoding, type WavFormat } from './wav-format.js';
import { pcm16WavHeader } from './wav-header.js';

export { WavFormatError, type WavEncoding } from './wav-format.js';

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** As stored in the file (valid bits for WAVE_FORMAT_EXTENSIBLE). */
  bitsPerSample: number;
  encoding: WavEncoding;
  /** Converted to PCM16, channels interleaved. */
  samples: Int16Array;
}

/** Any WAV the RIFF reader accepts, decoded to PCM16 (a streamed file's audio runs to its end). */
export function parseWav(buf: Buffer): WavAudio {
  const layout = readWavLayout(buf);
  const data = buf.subarray(layout.dataOffset, layout.dataOffset + wavDataBytes(layout, buf.length - layout.dataOffset));
  return { ...describe(layout.format), samples: decodeSamples(data, layout.format) };
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
    throw new UsageError(`cannot read ${path}: ${describeFileError(error)}`);
  }
  try {
    return parseWav(contents);
  } catch (error) {
    if (error instanceof WavFormatError) throw new WavFormatError(`${path}: ${error.message}`);
    throw error;
  }
}

function describe(fmt: WavFormat): Omit<WavAudio, 'samples'> {
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, bitsPerSample: fmt.bitsPerSample, encoding: fmt.encoding };
}

/** The whole frames of `data` as interleaved PCM16 (a frame cut off at the end is left out). */
export function decodeSamples(data: Buffer, fmt: WavFormat): Int16Array {
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
function sampleReader(fmt: WavFormat): (data: Buffer, offset: number) => number {
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
