import { EventEmitter } from 'node:events';
import type { AudioSink, PcmFormat } from './devices.js';
import { WavFileWriter } from './wav-file-writer.js';

/**
 * Records the assistant's audio (mono PCM16 at the session rate) to a WAV file.
 * The file is valid while it is being written (see WavFileWriter), so an interrupted
 * run still leaves a playable recording.
 */
export class WavFileSink extends EventEmitter implements AudioSink {
  private readonly writer: WavFileWriter;
  private failed = false;
  private closed = false;

  /** Throws (a one-line KaiwaError) right away if the file can't be created. */
  constructor(readonly path: string, readonly format: PcmFormat) {
    super();
    this.writer = new WavFileWriter(path, { sampleRate: format.sampleRate, channels: 1 });
  }

  write(pcm: Buffer): void {
    // Late deltas can arrive while shutting down; there is nowhere left to put them.
    if (this.closed || this.failed) return;
    try {
      this.writer.append(pcm);
    } catch (error) {
      // Report once: a full disk would otherwise raise an error for every chunk.
      this.failed = true;
      this.emit('error', error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Deliberately does nothing. clear() drops audio that was written but not yet heard;
   * a file has no "not yet heard" part, every byte is already stored. Cutting it out
   * would also make the recording disagree with what the server actually sent.
   */
  clear(): void {}

  close(): Promise<void> {
    this.closed = true;
    return this.writer.close();
  }
}
