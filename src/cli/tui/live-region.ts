import { graphemesOf, graphemeWidth, textWidth } from './text-width.js';

const SYNCHRONIZED_START = '\u001b[?2026h';
const SYNCHRONIZED_END = '\u001b[?2026l';
const HIDE_CURSOR = '\u001b[?25l';
const SHOW_CURSOR = '\u001b[?25h';
/** A control sequence (colours, cursor moves): written as it is, no cells wide. */
const CONTROL_SEQUENCE = /\u001b\[[0-9;?]*[ -/]*[@-~]/y;
const CONTROL_SEQUENCES = new RegExp(CONTROL_SEQUENCE.source, 'g');
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** Erases `count` lines upwards from the cursor's, ending at the start of the topmost. */
function eraseLines(count: number): string {
  let erase = '';
  for (let i = 0; i < count; i++) erase += `\u001b[2K${i < count - 1 ? '\u001b[1A' : ''}`;
  return count > 0 ? `${erase}\u001b[G` : '';
}

/** Rows filled left to right: a new one begins where the next cells do not fit. */
class RowFiller {
  readonly rows: string[] = [];
  private row = '';
  private used = 0;

  constructor(private readonly columns: number) {}

  /** A control sequence: no cells. */
  control(sequence: string): void {
    this.row += sequence;
  }

  /** Printable ASCII, one cell a character: cut by length (a long streamed line is mostly this). */
  ascii(text: string): void {
    for (let from = 0; from < text.length;) {
      if (this.used >= this.columns) this.endRow();
      const take = Math.min(this.columns - this.used, text.length - from);
      this.row += text.slice(from, from + take);
      this.used += take;
      from += take;
    }
  }

  /** Any other text, grapheme by grapheme: a wide one that does not fit goes to the next row. */
  graphemes(text: string): void {
    for (const { segment } of graphemesOf(text)) {
      const width = graphemeWidth(segment);
      if (this.used + width > this.columns && this.used > 0) this.endRow();
      this.row += segment;
      this.used += width;
    }
  }

  endRow(): void {
    this.rows.push(this.row);
    this.row = '';
    this.used = 0;
  }
}

/**
 * The rows `text` takes on a terminal `columns` wide, broken where the terminal would wrap:
 * drawn so, the terminal never wraps by itself, and the region knows how many rows to erase.
 */
export function wrapRows(text: string, columns: number): string[] {
  const filler = new RowFiller(columns);
  for (const line of text.split('\n')) {
    for (let at = 0; at < line.length;) {
      CONTROL_SEQUENCE.lastIndex = at;
      const control = line.charCodeAt(at) === 0x1b ? CONTROL_SEQUENCE.exec(line) : null;
      if (control) {
        filler.control(control[0]);
        at += control[0].length;
        continue;
      }
      const next = line.indexOf('\u001b', at + 1);
      const end = next === -1 ? line.length : next;
      const piece = line.slice(at, end);
      if (PRINTABLE_ASCII.test(piece)) filler.ascii(piece);
      else filler.graphemes(piece);
      at = end;
    }
    filler.endRow();
  }
  return filler.rows;
}

/**
 * The rows at the bottom of a terminal that are drawn again in place (the line being
 * streamed, the prompt, the status bar), as log-update draws them: erased from the bottom
 * up, then written whole inside one synchronized update. Measured with kaiwa's own widths
 * (see text-width.ts), not string-width on every frame.
 */
export class LiveRegion {
  /** Lines drawn, counting the one under them where the cursor waits. */
  private lines = 0;
  private frame: string | undefined;
  private readonly showCursorAtExit = (): void => {
    this.stdout.write(SHOW_CURSOR);
  };
  private cursorHidden = false;

  constructor(private readonly stdout: NodeJS.WriteStream) {}

  /** Draws `text` in place of what was drawn; nothing is written when it is what is shown. */
  draw(text: string): void {
    const rows = wrapRows(text, this.stdout.columns || 80);
    const height = this.stdout.rows || 24;
    // The cursor's line under the rows must fit too: the rows at the bottom are kept.
    const shown = rows.length >= height ? rows.slice(rows.length - Math.max(height - 1, 0)) : rows;
    const frame = `${shown.join('\n')}\n`;
    if (frame === this.frame) return;
    this.hideCursor();
    this.write(eraseLines(this.lines) + frame);
    this.frame = frame;
    this.lines = shown.length + 1;
  }

  /** Erases what is drawn (lines written next go where it was). */
  clear(): void {
    this.write(eraseLines(this.lines));
    this.lines = 0;
    this.frame = undefined;
  }

  /**
   * Erases what is drawn after the terminal changed width. A narrower terminal rewraps each
   * row drawn at the old width into more rows than the region drew: those are erased too,
   * or a stale status bar would be left in the scrollback.
   */
  clearAfterResize(): void {
    const columns = this.stdout.columns || 80;
    const rows = this.frame?.slice(0, -1).split('\n') ?? [];
    const extra = rows.reduce((sum, row) => sum + Math.max(0, Math.ceil(textWidth(row.replace(CONTROL_SEQUENCES, '')) / columns) - 1), 0);
    this.clear();
    if (extra > 0) this.stdout.write(`\u001b[${extra}A\r\u001b[J`);
  }

  /** Leaves what is drawn where it is, as ordinary output, and shows the cursor again. */
  done(): void {
    this.lines = 0;
    this.frame = undefined;
    if (!this.cursorHidden) return;
    this.cursorHidden = false;
    process.off('exit', this.showCursorAtExit);
    this.stdout.write(SHOW_CURSOR);
  }

  private hideCursor(): void {
    if (this.cursorHidden) return;
    this.cursorHidden = true;
    // However kaiwa ends, the user's shell gets its cursor back.
    process.once('exit', this.showCursorAtExit);
    this.stdout.write(HIDE_CURSOR);
  }

  private write(output: string): void {
    if (!output) return;
    this.stdout.write(this.stdout.isTTY ? `${SYNCHRONIZED_START}${output}${SYNCHRONIZED_END}` : output);
  }
}
