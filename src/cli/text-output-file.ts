import { describeFileError } from '../file-errors.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { printableText } from '../terminal-text.js';

/**
 * `--output-text`: final lines appended as they come, each written through to the file
 * at once, so a crash or a second Ctrl-C loses nothing already shown. The lines are the
 * server's words, written as printable text: the file is read with `cat` and `tail -f`.
 */
export class TextOutputFile {
  private fd: number | undefined;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'a');
    } catch (error) {
      throw new UsageError(`cannot write --output-text ${path}: ${describeFileError(error)}`);
    }
  }

  append(words: string): void {
    const line = printableText(words);
    if (this.fd !== undefined && line) writeSync(this.fd, `${line}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
