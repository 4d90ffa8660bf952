import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/**
 * Appends JSON lines so that a killed process leaves only whole lines behind. Each line
 * goes to the kernel in one write() call, as soon as it is known: nothing waits in a
 * user-space buffer (a stream's buffer is lost with the process), and no line is ever
 * written in two pieces a kill could fall between. The page cache outlives the process.
 */
export class JsonlWriter {
  private fd: number | undefined;
  private position = 0;

  constructor(readonly path: string) {
    // 'wx': a recording never silently overwrites an earlier one.
    this.fd = openSync(path, 'wx');
  }

  write(record: unknown): void {
    if (this.fd === undefined) throw new Error(`JsonlWriter: write to ${this.path} after close()`);
    // JSON.stringify escapes newlines inside strings, so one record is exactly one line.
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    let written = 0;
    while (written < line.length) {
      written += writeSync(this.fd, line, written, line.length - written, this.position + written);
    }
    this.position += line.length;
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
