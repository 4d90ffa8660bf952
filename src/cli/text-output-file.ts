import { describeFileError } from '../file-errors.js';
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { printableText } from '../terminal-text.js';
import { MadeOutputFile, whereNewFileGoes } from './made-output-file.js';

/**
 * `--output-text`: final lines appended as they come, each written through to the file
 * at once, so a crash or a second Ctrl-C loses nothing already shown. The lines are the
 * server's words, written as printable text: the file is read with `cat` and `tail -f`.
 *
 * Opened before connecting (a path it cannot be written at is a bad flag, exit 2), so a
 * file that was there is only opened to append (never truncated), and a new one is made at
 * once. A session that then never begins leaves no trace: the file kaiwa made (through a
 * link that pointed nowhere, at its target) is removed; the user's file and links stay.
 */
export class TextOutputFile {
  private fd: number | undefined;
  private began = false;
  private made: MadeOutputFile | undefined;

  constructor(readonly path: string) {
    try {
      const newAt = whereNewFileGoes(path);
      this.fd = openSync(path, 'a');
      if (newAt !== undefined) this.made = new MadeOutputFile(newAt);
    } catch (error) {
      throw new UsageError(`cannot write --output-text ${path}: ${describeFileError(error)}`);
    }
  }

  /** The session began: from here on the file is the captions', kept even if no line comes. */
  begin(): void {
    this.began = true;
  }

  append(words: string): void {
    const line = printableText(words);
    if (this.fd !== undefined && line) writeSync(this.fd, `${line}\n`);
  }

  /** Closed, and, when the session never began, the file kaiwa made for it removed. Idempotent. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (!this.began) this.made?.remove();
  }
}
