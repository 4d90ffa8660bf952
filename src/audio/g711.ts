/**
 * ITU-T G.711 companding (μ-law for PCMU, A-law for PCMA), one byte per sample at 8 kHz.
 *
 * The bit manipulation follows the ITU reference (the same as Sun's public-domain g711.c
 * that SoX uses). μ-law works on 14-bit and A-law on 13-bit linear samples; like SoX we
 * round 16-bit input to the nearest 14/13-bit value (truncating would bias every sample
 * downwards), which makes our bytes identical to SoX's. Encoding is done once into 64 K
 * lookup tables because the realtime path encodes every sample.
 */

const ULAW_BIAS = 0x84;
/** Largest 14-bit magnitude that still fits after adding the bias. */
const ULAW_CLIP = 8159;
const ULAW_SEGMENT_ENDS = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
/** A-law inverts every other bit so idle lines don't send long runs of zeros. */
const ALAW_EVEN_BIT_INVERSION = 0x55;

/** Rounds half up and saturates at the top, as SoX's SOX_SAMPLE_TO_SIGNED does. */
function roundToBits(pcm16: number, bits: number): number {
  const dropped = 16 - bits;
  const half = 1 << (dropped - 1);
  const largest = (1 << (bits - 1)) - 1;
  return pcm16 > 32767 - half ? largest : (pcm16 + half) >> dropped;
}

function segmentOf(magnitude: number, segmentEnds: readonly number[]): number {
  const index = segmentEnds.findIndex((end) => magnitude <= end);
  return index === -1 ? segmentEnds.length : index;
}

function encodeUlawSample(pcm16: number): number {
  let magnitude = roundToBits(pcm16, 14);
  let signMask = 0xff;
  if (magnitude < 0) {
    magnitude = -magnitude;
    signMask = 0x7f;
  }
  magnitude = Math.min(magnitude, ULAW_CLIP) + (ULAW_BIAS >> 2);
  const segment = segmentOf(magnitude, ULAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ signMask;
  const mantissa = (magnitude >> (segment + 1)) & 0x0f;
  return ((segment << 4) | mantissa) ^ signMask;
}

function encodeAlawSample(pcm16: number): number {
  let magnitude = roundToBits(pcm16, 13);
  let signMask = 0xd5;
  if (magnitude < 0) {
    // One's complement, not negation: A-law has no negative zero to spend on -0.
    magnitude = -magnitude - 1;
    signMask = 0x55;
  }
  const segment = segmentOf(magnitude, ALAW_SEGMENT_ENDS);
  if (segment >= 8) return 0x7f ^ signMask;
  const mantissa = (segment < 2 ? magnitude >> 1 : magnitude >> segment) & 0x0f;
  return ((segment << 4) | mantissa) ^ signMask;
}

function decodeUlawSample(byte: number): number {
  const inverted = ~byte & 0xff;
  const magnitude = ((((inverted & 0x0f) << 3) + ULAW_BIAS) << ((inverted & 0x70) >> 4)) - ULAW_BIAS;
  return inverted & 0x80 ? -magnitude : magnitude;
}

function decodeAlawSample(byte: number): number {
  const value = byte ^ ALAW_EVEN_BIT_INVERSION;
  const segment = (value & 0x70) >> 4;
  let magnitude = (value & 0x0f) << 4;
  if (segment === 0) magnitude += 8;
  else magnitude = (magnitude + 0x108) << (segment - 1);
  return value & 0x80 ? magnitude : -magnitude;
}

function buildEncodeTable(encodeSample: (pcm16: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let pcm16 = -32768; pcm16 <= 32767; pcm16++) table[pcm16 & 0xffff] = encodeSample(pcm16);
  return table;
}

function buildDecodeTable(decodeSample: (byte: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let byte = 0; byte < 256; byte++) table[byte] = decodeSample(byte);
  return table;
}

let ulawEncodeTable: Uint8Array | undefined;
let alawEncodeTable: Uint8Array | undefined;
const ulawDecodeTable = buildDecodeTable(decodeUlawSample);
const alawDecodeTable = buildDecodeTable(decodeAlawSample);

function encodeWith(table: Uint8Array, pcm16: Buffer): Buffer {
  const sampleCount = Math.floor(pcm16.length / 2);
  const out = Buffer.allocUnsafe(sampleCount);
  for (let i = 0; i < sampleCount; i++) out[i] = table[pcm16.readUInt16LE(i * 2)]!;
  return out;
}

function decodeWith(table: Int16Array, encoded: Buffer): Buffer {
  const out = Buffer.allocUnsafe(encoded.length * 2);
  for (let i = 0; i < encoded.length; i++) out.writeInt16LE(table[encoded[i]!]!, i * 2);
  return out;
}

/** PCM16 LE (mono) → μ-law bytes. A trailing odd byte is ignored. */
export function encodeUlaw(pcm16: Buffer): Buffer {
  ulawEncodeTable ??= buildEncodeTable(encodeUlawSample);
  return encodeWith(ulawEncodeTable, pcm16);
}

/** PCM16 LE (mono) → A-law bytes. A trailing odd byte is ignored. */
export function encodeAlaw(pcm16: Buffer): Buffer {
  alawEncodeTable ??= buildEncodeTable(encodeAlawSample);
  return encodeWith(alawEncodeTable, pcm16);
}

/** μ-law bytes → PCM16 LE. */
export function decodeUlaw(encoded: Buffer): Buffer {
  return decodeWith(ulawDecodeTable, encoded);
}

/** A-law bytes → PCM16 LE. */
export function decodeAlaw(encoded: Buffer): Buffer {
  return decodeWith(alawDecodeTable, encoded);
}

/** Single-byte decoders for WAV parsing, where samples are converted one at a time. */
export function ulawByteToPcm16(byte: number): number {
  return ulawDecodeTable[byte & 0xff]!;
}

export function alawByteToPcm16(byte: number): number {
  return alawDecodeTable[byte & 0xff]!;
}
