import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import type { AudioSink, PcmFormat } from '../audio/devices.js';
import { WavFileSink } from '../audio/wav-file-sink.js';
import { UsageError } from '../errors.js';
import { describeFileError } from '../file-errors.js';
import { MadeOutputFile, whereNewFileGoes } from './made-output-file.js';

/**
 * `--output FILE.wav`, claimed before connecting and written once the session begins.
 *
 * A path the WAV cannot be written at is a bad flag (exit 2), found before anything
 * connects: a new file is made at once (its empty WAV is the proof), a file that is there
 * is opened for writing and left as it is. A session that then never begins (the
 * connection fails, a piped `--input -` holds no WAV) leaves no trace: the file kaiwa
 * made is removed, and the user's own file, never truncated, still holds what it held. A link
 * that points nowhere is the user's and stays; the file made through it, at its target, is removed.
 * Once the session begins (`begin()`), the file is the answer's, as it always was.
 */
export class OutputWavFile extends EventEmitter implements AudioSink {
  private sink: WavFileSink | undefined;
  private began = false;
  /** The file kaiwa made (at the path, or at the target of a link that pointed nowhere): only it may be removed. */
  private made: MadeOutputFile | undefined;

  constructor(readonly path: string, readonly format: PcmFormat) {
    super();
    const newAt = newFilePlace(path);
    if (newAt === undefined) {
      this.checkWritable();
      return;
    }
    // Nothing of the user's is there: the file is made at once (through the link, if one points there).
    this.sink = this.openSink();
    this.made = new MadeOutputFile(newAt);
  }

  /** The session began: from here on the file holds its answer (a file that was there is replaced now). */
  begin(): void {
    if (this.began) return;
    this.began = true;
    this.sink ??= this.openSink();
  }

  /**
   * At the end of the run: closed, and, when the session never began, left as it was found
   * (one kaiwa made is removed; the user's own was never touched). Idempotent.
   */
  async closeOrRemove(): Promise<void> {
    // A failed close of a file the session wrote is reported once, by the audio bridge that closed it first.
    await this.sink?.close().catch(() => undefined);
    if (!this.began) this.made?.remove();
  }

  write(pcm: Buffer): void {
    this.sink?.write(pcm);
  }

  clear(): void {}

  async close(): Promise<void> {
    await this.sink?.close();
  }

  private openSink(): WavFileSink {
    try {
      const sink = new WavFileSink(this.path, this.format);
      sink.on('error', (error: Error) => this.emit('error', error));
      return sink;
    } catch (error) {
      throw outputError(this.path, error);
    }
  }

  /** Opened for writing without truncating it (a directory, a read-only file or folder fails here), then closed. */
  private checkWritable(): void {
    try {
      closeSync(openSync(this.path, 'r+'));
    } catch (error) {
      throw outputError(this.path, error);
    }
  }
}

function newFilePlace(path: string): string | undefined {
  try {
    return whereNewFileGoes(path);
  } catch (error) {
    // A parent that is no folder (`/etc/passwd/x.wav`), links in a loop: said as the open would say it.
    throw outputError(path, error);
  }
}

function outputError(path: string, error: unknown): UsageError {
  // WavFileSink says it in its own words: the file-system error underneath is said in the flag's.
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return new UsageError(`cannot write --output ${path}: ${describeFileError(cause)}`);
}
