import { describeFileError } from '../file-errors.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';

/**
 * `--output-text`: final lines appended as they come, each written through to the file
 * at once, so a crash or a second Ctrl-C loses nothing already shown.
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

  append(line: string): void {
    if (this.fd !== undefined && line) writeSync(this.fd, `${line}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
