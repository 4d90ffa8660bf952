/** Builds WAV files byte by byte, including malformed ones, for parser tests. */

export function chunk(id: string, body: Buffer, declaredSize = body.length): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 'ascii');
  header.writeUInt32LE(declaredSize, 4);
  const pad = body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0);
  return Buffer.concat([header, body, pad]);
}

export function riffWave(chunks: Buffer[], riffId = 'RIFF'): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), ...chunks]);
  const header = Buffer.alloc(8);
  header.write(riffId, 0, 'ascii');
  header.writeUInt32LE(riffId === 'RF64' ? 0xffffffff : body.length, 4);
  return Buffer.concat([header, body]);
}

export function fmtBody(options: { formatTag: number; channels: number; sampleRate: number; bits: number; blockAlign?: number }): Buffer {
  const { formatTag, channels, sampleRate, bits } = options;
  const blockAlign = options.blockAlign ?? channels * Math.ceil(bits / 8);
  const body = Buffer.alloc(16);
  body.writeUInt16LE(formatTag, 0);
  body.writeUInt16LE(channels, 2);
  body.writeUInt32LE(sampleRate, 4);
  body.writeUInt32LE(sampleRate * blockAlign, 8);
  body.writeUInt16LE(blockAlign, 12);
  body.writeUInt16LE(bits, 14);
  return body;
}

/** WAVE_FORMAT_EXTENSIBLE: the real format tag goes into the sub-format GUID. */
export function extensibleFmtBody(options: { subFormat: number; channels: number; sampleRate: number; containerBits: number; validBits: number; guidTail?: string }): Buffer {
  const base = fmtBody({ formatTag: 0xfffe, channels: options.channels, sampleRate: options.sampleRate, bits: options.containerBits });
  const extension = Buffer.alloc(24);
  extension.writeUInt16LE(22, 0);
  extension.writeUInt16LE(options.validBits, 2);
  extension.writeUInt32LE(options.channels === 2 ? 3 : 4, 4);
  extension.writeUInt16LE(options.subFormat, 8);
  Buffer.from(options.guidTail ?? '000000001000800000aa00389b71', 'hex').copy(extension, 10);
  return Buffer.concat([base, extension]);
}

export function int16Data(values: number[]): Buffer {
  const buf = Buffer.alloc(values.length * 2);
  values.forEach((value, i) => buf.writeInt16LE(value, i * 2));
  return buf;
}

/** What ffmpeg's encoder tag reads in ffmpeg 4.4; 13 characters + NUL = an even 14-byte ISFT. */
export const FFMPEG_ENCODER_TAG = 'Lavf58.76.100';

/**
 * A WAV exactly as ffmpeg's wav muxer writes it to a pipe (libavformat/wavenc.c,
 * riffenc.c), 78 bytes of header for PCM16:
 *   0 "RIFF" FF FF FF FF "WAVE"   RIFF size -1: filled in only when the output can seek
 *  12 "fmt " 16, PCMWAVEFORMAT    size patched inside ffmpeg's I/O buffer, so it is real
 *  36 "LIST" 26 "INFO" "ISFT" 14 "Lavf58.76.100\0"   ff_riff_write_info (encoder tag)
 *  70 "data" FF FF FF FF          ff_start_tag writes -1; never patched on a pipe
 *  78 audio
 */
export function ffmpegPipeWav(audio: Buffer, options: { sampleRate: number; channels: number }): Buffer {
  const isft = chunk('ISFT', Buffer.from(`${FFMPEG_ENCODER_TAG}\0`, 'ascii'));
  const info = chunk('LIST', Buffer.concat([Buffer.from('INFO', 'ascii'), isft]));
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'ascii');
  riff.writeUInt32LE(0xffffffff, 4);
  riff.write('WAVE', 8, 'ascii');
  const fmt = chunk('fmt ', fmtBody({ formatTag: 1, channels: options.channels, sampleRate: options.sampleRate, bits: 16 }));
  const dataHeader = chunk('data', Buffer.alloc(0), 0xffffffff);
  return Buffer.concat([riff, fmt, info, dataHeader, audio]);
}

/** The ds64 chunk of an RF64 file: 64-bit RIFF and data sizes, sample count, no table. */
export function ds64Chunk(dataBytes: number, riffBytes = 0): Buffer {
  const body = Buffer.alloc(28);
  body.writeBigUInt64LE(BigInt(riffBytes), 0);
  body.writeBigUInt64LE(BigInt(dataBytes), 8);
  return chunk('ds64', body);
}
