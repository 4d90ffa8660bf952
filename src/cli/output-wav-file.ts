import { EventEmitter } from 'node:events';
import { closeSync, lstatSync, openSync, statSync, unlinkSync } from 'node:fs';
import type { AudioSink, PcmFormat } from '../audio/devices.js';
import { WavFileSink } from '../audio/wav-file-sink.js';
import { UsageError } from '../errors.js';
import { describeFileError } from '../file-errors.js';

/**
 * `--output FILE.wav`, claimed before connecting and written once the session begins.
 *
 * A path the WAV cannot be written at is a bad flag (exit 2), found before anything
 * connects: a new file is made at once (its empty WAV is the proof), a file that is there
 * is opened for writing and left as it is. A session that then never begins (the
 * connection fails, a piped `--input -` holds no WAV) leaves no trace: the file kaiwa
 * made is removed, and the user's own file, never truncated, still holds what it held.
 * Once the session begins (`begin()`), the file is the answer's, as it always was.
 */
export class OutputWavFile extends EventEmitter implements AudioSink {
  private sink: WavFileSink | undefined;
  private began = false;
  /** True when kaiwa made the file: only such a file may be removed. */
  private readonly madeHere: boolean;

  constructor(readonly path: string, readonly format: PcmFormat) {
    super();
    const there = whatIsAt(path);
    this.madeHere = there === 'nothing';
    // A link to a file yet to be made holds nothing of the user's either: the file is made through it at once.
    if (there === 'something') this.checkWritable();
    else this.sink = this.openSink();
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
    if (this.began || !this.madeHere) return;
    try {
      unlinkSync(this.path);
    } catch {
      // Gone already, or moved by the user meanwhile: nothing of kaiwa's is left to remove.
    }
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

/** What a path names now (a file, a folder, a device: something of the user's); a link is the user's too, even one that points nowhere yet. */
function whatIsAt(path: string): 'nothing' | 'something' | 'a link to nothing' {
  try {
    if (!lstatSync(path, { throwIfNoEntry: false })) return 'nothing';
    return statSync(path, { throwIfNoEntry: false }) ? 'something' : 'a link to nothing';
  } catch (error) {
    // A parent that is no folder (`/etc/passwd/x.wav`): said as the open would say it.
    throw outputError(path, error);
  }
}

function outputError(path: string, error: unknown): UsageError {
  // WavFileSink says it in its own words: the file-system error underneath is said in the flag's.
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return new UsageError(`cannot write --output ${path}: ${describeFileError(cause)}`);
}
