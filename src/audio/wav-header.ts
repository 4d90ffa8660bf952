/**
 * The canonical 44-byte header of a PCM16 WAV file. Shared by encodeWav (whole files)
 * and WavFileWriter, which rewrites the two size fields in place as audio is appended.
 */

export const PCM16_WAV_HEADER_BYTES = 44;
/** Offset of the RIFF chunk size (file length - 8). */
export const RIFF_SIZE_OFFSET = 4;
/** Offset of the data chunk size (bytes of audio). */
export const DATA_SIZE_OFFSET = 40;
/** RIFF sizes are 32-bit: the RIFF size (data + 36) must still fit. */
export const MAX_PCM16_WAV_DATA_BYTES = 0xffffffff - (PCM16_WAV_HEADER_BYTES - 8);

const WAVE_FORMAT_PCM = 1;
const BITS_PER_SAMPLE = 16;

export function pcm16WavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const blockAlign = channels * (BITS_PER_SAMPLE / 8);
  const header = Buffer.alloc(PCM16_WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(riffSizeFor(dataBytes), RIFF_SIZE_OFFSET);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(BITS_PER_SAMPLE, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, DATA_SIZE_OFFSET);
  return header;
}

export function riffSizeFor(dataBytes: number): number {
  return dataBytes + PCM16_WAV_HEADER_BYTES - 8;
}
