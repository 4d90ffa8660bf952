import { close, closeSync, fsync, openSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { KaiwaError } from '../errors.js';
import { describeFileError } from '../file-errors.js';
import { BYTES_PER_SAMPLE, int16ToBuffer } from './pcm16.js';
import { DATA_SIZE_OFFSET, MAX_PCM16_WAV_DATA_BYTES, pcm16WavHeader, PCM16_WAV_HEADER_BYTES, RIFF_SIZE_OFFSET, riffSizeFor } from './wav-header.js';

export interface WavFileWriterOptions {
  sampleRate: number;
  channels: 1 | 2;
}

const fsyncAsync = promisify(fsync);
const closeAsync = promisify(close);

/**
 * Streams PCM16 audio into a WAV file that is valid at every moment.
 *
 * The header's two size fields are rewritten after every append, after the audio
 * itself, so they never claim bytes that are not in the file yet. A process killed
 * with SIGKILL (no chance to run close()) therefore leaves a WAV that plays up to the
 * last append: the data already sits in the kernel's page cache, which survives the
 * process. Writes are synchronous: they are a few hundred bytes every 20 ms, it keeps
 * them strictly ordered without a queue, and open errors surface in the constructor.
 */
export class WavFileWriter {
  private fd: number | undefined;
  private dataBytes = 0;
  private closing: Promise<void> | undefined;
  private readonly frameBytes: number;
  private readonly sizeField = Buffer.alloc(4);

  constructor(readonly path: string, readonly options: WavFileWriterOptions) {
    assertOptions(options);
    this.frameBytes = options.channels * BYTES_PER_SAMPLE;
    try {
      this.fd = openSync(path, 'w');
      writeFully(this.fd, pcm16WavHeader(options.sampleRate, options.channels, 0), 0);
    } catch (error) {
      this.closeQuietly();
      throw new KaiwaError(`cannot write ${path}: ${describeFileError(error)}`, 1, { cause: error });
    }
  }

  get durationMs(): number {
    return (this.dataBytes / this.frameBytes / this.options.sampleRate) * 1000;
  }

  /** Appends interleaved samples (a Buffer must hold little-endian PCM16 whole frames). */
  append(samples: Int16Array | Buffer): void {
    if (this.fd === undefined) throw new Error(`WavFileWriter: append to ${this.path} after close()`);
    const bytes = Buffer.isBuffer(samples) ? samples : int16ToBuffer(samples);
    if (bytes.length % this.frameBytes !== 0) {
      throw new RangeError(`WavFileWriter: ${bytes.length} bytes is not a whole number of ${this.options.channels}-channel PCM16 frames`);
    }
    if (this.dataBytes + bytes.length > MAX_PCM16_WAV_DATA_BYTES) {
      throw new KaiwaError(`${this.path} reached the 4 GiB size limit of WAV files; later audio was not saved`);
    }
    writeFully(this.fd, bytes, PCM16_WAV_HEADER_BYTES + this.dataBytes);
    this.dataBytes += bytes.length;
    this.writeSizes(this.fd);
  }

  /** Idempotent; resolves once the header is final and the data has been flushed to disk. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      this.writeSizes(fd);
      await fsyncAsync(fd).catch((error: NodeJS.ErrnoException) => {
        // A device that keeps nothing (--output /dev/null) cannot be synced, and needs not be.
        if (error.code !== 'EINVAL') throw error;
      });
    } finally {
      await closeAsync(fd);
    }
  }

  private writeSizes(fd: number): void {
    this.sizeField.writeUInt32LE(riffSizeFor(this.dataBytes), 0);
    writeFully(fd, this.sizeField, RIFF_SIZE_OFFSET);
    this.sizeField.writeUInt32LE(this.dataBytes, 0);
    writeFully(fd, this.sizeField, DATA_SIZE_OFFSET);
  }

  private closeQuietly(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already failing with a better error; a close error would only hide it.
    }
    this.fd = undefined;
  }
}

/** writeSync may write less than asked (e.g. a signal mid-write); loop until all is out. */
function writeFully(fd: number, bytes: Buffer, position: number): void {
  let written = 0;
  while (written < bytes.length) {
    written += writeSync(fd, bytes, written, bytes.length - written, position + written);
  }
}

function assertOptions(options: WavFileWriterOptions): void {
  if (options.channels !== 1 && options.channels !== 2) throw new RangeError(`WavFileWriter supports 1 or 2 channels, got ${String(options.channels)}`);
  if (!Number.isInteger(options.sampleRate) || options.sampleRate <= 0) throw new RangeError(`invalid sample rate ${options.sampleRate}`);
}
