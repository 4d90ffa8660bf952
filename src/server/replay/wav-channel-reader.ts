/**
 * Reads one channel of a PCM16 WAV file (a recording's conversation.wav) a slice at a
 * time, so replaying an hour-long recording never holds the whole file in memory.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

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
      const head = Buffer.alloc(Math.min(4096, fstatSync(fd).size));
      readSync(fd, head, 0, head.length, 0);
      const layout = parseLayout(head);
      if (!layout) {
        closeSync(fd);
        return undefined;
      }
      const bytes = fstatSync(fd).size - layout.dataOffset;
      const frames = Math.max(0, Math.floor(bytes / (2 * layout.channels)));
      return new WavChannelReader(fd, layout.sampleRate, layout.channels, layout.dataOffset, frames);
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

function parseLayout(head: Buffer): { sampleRate: number; channels: number; dataOffset: number } | undefined {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let format: { sampleRate: number; channels: number } | undefined;
  for (let offset = 12; offset + 8 <= head.length;) {
    const id = head.toString('ascii', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= head.length) {
      const tag = head.readUInt16LE(body);
      const bits = head.readUInt16LE(body + 14);
      if ((tag !== 1 && tag !== 0xfffe) || bits !== 16) return undefined;
      format = { channels: head.readUInt16LE(body + 2), sampleRate: head.readUInt32LE(body + 4) };
    }
    if (id === 'data') return format ? { ...format, dataOffset: body } : undefined;
    offset = body + size + (size % 2);
  }
  return undefined;
}
