/**
 * The one reader of RIFF/WAVE (and RF64) chunks, for whole files and for the first bytes
 * of a stream alike: it finds the format and where the audio starts.
 *
 * It takes what real tools write. A writer that cannot seek back (`espeak-ng --stdout`,
 * `sox … -t wav -` into a pipe, ffmpeg to a pipe) leaves a placeholder in the data size
 * (0, 0x7FFFF000 or 0xFFFFFFFF); that audio runs to the end of the file, and so does
 * audio whose declared size runs past the end. Odd-sized chunks are followed by a pad
 * byte; RF64 keeps the real data size in its ds64 chunk. The RIFF size is never needed.
 */
import { parseFmtChunk, WavFormatError, type WavFormat } from './wav-format.js';

export interface WavLayout {
  format: WavFormat;
  /** Byte offset of the first audio byte. */
  dataOffset: number;
  /** Audio bytes the header vouches for; undefined for a placeholder (the audio runs to the end). */
  declaredDataBytes: number | undefined;
}

const PLACEHOLDER_DATA_SIZES = new Set([0, 0x7ffff000, 0xffffffff]);
/** RF64 writes this in the 32-bit data size and the real one in ds64. */
const SIZE_IN_DS64 = 0xffffffff;
/** riff size, data size, sample count (8 bytes each); the table length may follow. */
const MIN_DS64_BYTES = 24;

/** The layout of a whole WAV file; a WavFormatError (one line) when it is not a usable one. */
export function readWavLayout(file: Buffer): WavLayout {
  return walkChunks(file, true)!;
}

/**
 * The layout from the first bytes of a WAV stream, or undefined while the header is still
 * incomplete. Throws a WavFormatError as soon as the bytes cannot be a usable WAV.
 */
export function readWavLayoutPrefix(prefix: Buffer): WavLayout | undefined {
  return walkChunks(prefix, false);
}

/** How many of the `available` bytes after dataOffset are audio. */
export function wavDataBytes(layout: WavLayout, available: number): number {
  const present = Math.max(0, available);
  return layout.declaredDataBytes === undefined ? present : Math.min(layout.declaredDataBytes, present);
}

function walkChunks(buf: Buffer, whole: boolean): WavLayout | undefined {
  if (buf.length < 12 && !whole) return undefined;
  assertRiffWave(buf);
  let format: WavFormat | undefined;
  let ds64DataBytes: number | undefined;
  for (let offset = 12; offset + 8 <= buf.length;) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const bodyOffset = offset + 8;
    if (id === 'data') {
      if (!format) throw new WavFormatError('invalid WAV file: the audio data comes before the "fmt " chunk (or it is missing)');
      return { format, dataOffset: bodyOffset, declaredDataBytes: declaredDataBytes(size, ds64DataBytes) };
    }
    if (id === 'fmt ' || id === 'ds64') {
      if (bodyOffset + size > buf.length) {
        if (!whole) return undefined;
        throw new WavFormatError(`truncated WAV file: the "${id.trim()}" chunk runs past the end of the file`);
      }
      const body = buf.subarray(bodyOffset, bodyOffset + size);
      if (id === 'fmt ') format = parseFmtChunk(body);
      else ds64DataBytes = parseDs64DataBytes(body);
    }
    offset = bodyOffset + size + (size % 2);
  }
  if (!whole) return undefined;
  throw new WavFormatError(format ? 'invalid WAV file: no "data" chunk (truncated?)' : 'invalid WAV file: no "fmt " chunk (truncated?)');
}

function assertRiffWave(buf: Buffer): void {
  if (buf.length === 0) throw new WavFormatError('the file is empty (no WAV header, no audio)');
  const riff = buf.toString('ascii', 0, 4);
  if (buf.length < 12 || (riff !== 'RIFF' && riff !== 'RF64') || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a WAV file (no RIFF/WAVE header)');
  }
}

function declaredDataBytes(size: number, ds64DataBytes: number | undefined): number | undefined {
  if (size === SIZE_IN_DS64 && ds64DataBytes) return ds64DataBytes;
  return PLACEHOLDER_DATA_SIZES.has(size) ? undefined : size;
}

/** The 64-bit data size; undefined when it is 0 (an RF64 stream that could not seek back). */
function parseDs64DataBytes(body: Buffer): number | undefined {
  if (body.length < MIN_DS64_BYTES) {
    throw new WavFormatError(`invalid RF64 file: the "ds64" chunk is ${body.length} bytes, expected at least ${MIN_DS64_BYTES}`);
  }
  const size = Number(body.readBigUInt64LE(8));
  return size > 0 ? size : undefined;
}
