/**
 * Reads one channel of a PCM16 WAV file (a recording's conversation.wav) a slice at a
 * time, so replaying an hour-long recording never holds the whole file in memory.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readWavLayoutPrefix } from '../../audio/riff-reader.js';

/** More than any header the recorder (or a tool that rewrote the file) puts before the audio. */
const MAX_HEADER_BYTES = 64 * 1024;

export class WavChannelReader {
  private constructor(
    private readonly fd: number,
    readonly sampleRate: number,
    readonly channels: number,
    private readonly dataOffset: number,
    /** Frames present in the file (the header's size is not trusted: a killed recorder leaves it short). */
    readonly frames: number,
  ) {}

  /** Undefined when the file is missing or is not 16-bit PCM. */
  static open(path: string): WavChannelReader | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    try {
      const fileBytes = fstatSync(fd).size;
      const head = Buffer.alloc(Math.min(MAX_HEADER_BYTES, fileBytes));
      readSync(fd, head, 0, head.length, 0);
      const layout = readWavLayoutPrefix(head);
      if (!layout || layout.format.encoding !== 'pcm' || layout.format.bytesPerSample !== 2) {
        closeSync(fd);
        return undefined;
      }
      const { sampleRate, channels } = layout.format;
      const frames = Math.max(0, Math.floor((fileBytes - layout.dataOffset) / (2 * channels)));
      return new WavChannelReader(fd, sampleRate, channels, layout.dataOffset, frames);
    } catch {
      closeSync(fd);
      return undefined;
    }
  }

  /** `count` samples of `channel` from `startFrame`; zeros where the file has none. */
  read(channel: number, startFrame: number, count: number): Int16Array {
    const out = new Int16Array(Math.max(0, count));
    const first = Math.max(0, startFrame);
    const last = Math.min(this.frames, startFrame + count);
    if (last <= first || channel >= this.channels) return out;
    const frameBytes = 2 * this.channels;
    const raw = Buffer.alloc((last - first) * frameBytes);
    readSync(this.fd, raw, 0, raw.length, this.dataOffset + first * frameBytes);
    for (let frame = first; frame < last; frame++) {
      out[frame - startFrame] = raw.readInt16LE((frame - first) * frameBytes + channel * 2);
    }
    return out;
  }

  close(): void {
    closeSync(this.fd);
  }
}
