import { EventEmitter } from 'node:events';

/**
 * A stream read as lines of bytes, not yet decoded: readline decodes as it goes and turns
 * bytes that are not UTF-8 into U+FFFD, so a line could not tell them from a real U+FFFD.
 * Lines end at `\n`, `\r\n` or a lone `\r`, as readline's do; the end of the stream ends the
 * last line. Emits 'line' (bytes, its number from 1) and 'close' once (at the end, or on close()).
 */
export class ByteLines extends EventEmitter<{ line: [bytes: Buffer, number: number]; close: [] }> {
  private pending: Buffer[] = [];
  private count = 0;
  /** The last chunk ended in `\r`: a `\n` first in the next one belongs to that line's end. */
  private afterCr = false;
  private closed = false;
  private readonly onData = (chunk: Buffer | string): void => this.take(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  private readonly onEnd = (): void => {
    if (this.pending.length) this.emitLine(Buffer.concat(this.pending));
    this.close();
  };

  constructor(private readonly input: NodeJS.ReadableStream) {
    super();
    input.on('data', this.onData);
    input.on('end', this.onEnd);
    input.on('close', this.onEnd);
  }

  /** Stops reading: no line is emitted after this. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.pause();
    this.emit('close');
  }

  private take(chunk: Buffer): void {
    let start = 0;
    if (this.afterCr && chunk[0] === 0x0a) start = 1;
    this.afterCr = false;
    for (let at = start; at < chunk.length && !this.closed; at += 1) {
      const byte = chunk[at];
      if (byte !== 0x0a && byte !== 0x0d) continue;
      this.pending.push(chunk.subarray(start, at));
      const line = Buffer.concat(this.pending);
      this.pending = [];
      if (byte === 0x0d) {
        if (at + 1 === chunk.length) this.afterCr = true;
        else if (chunk[at + 1] === 0x0a) at += 1;
      }
      start = at + 1;
      this.emitLine(line);
    }
    if (!this.closed && start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  private emitLine(line: Buffer): void {
    this.count += 1;
    this.emit('line', line, this.count);
  }
}
