/**
 * The "fmt " chunk of a WAV file: which encoding, how many channels, how wide a sample.
 */
import { UsageError } from '../errors.js';
import { own } from '../own-text.js';

export type WavEncoding = 'pcm' | 'float' | 'mulaw' | 'alaw';

export interface WavFormat {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  /** As stored in the file (valid bits for WAVE_FORMAT_EXTENSIBLE). */
  bitsPerSample: number;
  /** Bytes each sample occupies in the data chunk (its container). */
  bytesPerSample: number;
}

/**
 * The WAV input can't be used; the message is one line meant for the user. A bad input file
 * is the user's to fix, like a bad flag: exit 2 (README, "Exit codes").
 */
export class WavFormatError extends UsageError {}

/**
 * Every rate a real WAV is written at, from 8 kHz telephone audio to 384 kHz studio masters.
 * Anything else is a corrupt header: 1 Hz would make a second of audio last hours once
 * resampled (and run out of memory), 4 GHz would play a file in an instant.
 */
export const MIN_WAV_SAMPLE_RATE = 8000;
export const MAX_WAV_SAMPLE_RATE = 384000;

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_ALAW = 0x0006;
const FORMAT_MULAW = 0x0007;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID; bytes 0..1 carry the format tag. */
const SUBFORMAT_GUID_TAIL = Buffer.from('000000001000800000aa00389b71', 'hex');

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0055: 'MP3',
};

export function parseFmtChunk(body: Buffer): WavFormat {
  if (body.length < 16) throw new WavFormatError(`invalid WAV file: the "fmt " chunk is ${body.length} bytes, expected at least 16`);
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const blockAlign = body.readUInt16LE(12);
  const containerBits = body.readUInt16LE(14);
  const { formatTag, validBits } = resolveExtensible(body, containerBits);
  if (channels === 0) throw new WavFormatError('invalid WAV file: 0 channels');
  assertRealSampleRate(sampleRate);
  const encoding = encodingOf(formatTag, containerBits);
  // Trust blockAlign for the container when it is consistent: 24 valid bits may sit in 4 bytes.
  const minimumBytes = Math.ceil(containerBits / 8);
  const alignedBytes = blockAlign / channels;
  const bytesPerSample = Number.isInteger(alignedBytes) && alignedBytes >= minimumBytes ? alignedBytes : minimumBytes;
  assertSupportedWidth(encoding, bytesPerSample, containerBits);
  return { encoding, channels, sampleRate, bitsPerSample: validBits, bytesPerSample };
}

function assertRealSampleRate(sampleRate: number): void {
  if (sampleRate >= MIN_WAV_SAMPLE_RATE && sampleRate <= MAX_WAV_SAMPLE_RATE) return;
  throw new WavFormatError(own`invalid WAV file: a sample rate of ${hertz(sampleRate)}; kaiwa reads WAV files at ${grouped(MIN_WAV_SAMPLE_RATE)}–${hertz(MAX_WAV_SAMPLE_RATE)}`);
}

function hertz(rate: number): string {
  return `${grouped(rate)} Hz`;
}

/** Digits in groups of three (8 000, 4 000 000 000), so a corrupt rate reads at a glance. */
function grouped(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+$)/g, ' ');
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
