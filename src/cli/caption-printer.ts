import stringWidth from 'string-width';
import { printableLine, printableText } from '../terminal-text.js';

export interface CaptionScreen {
  write(text: string): void;
  /** A terminal can redraw the line being recognized; a pipe or file gets final lines only. */
  tty: boolean;
  /** 0 or less: the terminal did not say (as under `script` with no controlling terminal). */
  columns(): number;
}

const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
const ERASE_LINE = '\x1b[K';

/**
 * Live captions on a terminal: the words being recognized are shown dimmed at the bottom
 * and redrawn as deltas arrive; a final transcript replaces them as a plain line. On a
 * pipe only the final lines are written, so the output is the transcript itself. The
 * server's words are shown without control sequences: only kaiwa's own dim and erase remain.
 */
export class CaptionPrinter {
  private shown = '';

  constructor(private readonly screen: CaptionScreen) {}

  partial(words: string): void {
    if (!this.screen.tty) return;
    // One row of words: erasing counts the rows they wrapped to, not lines they began.
    const text = printableLine(words);
    if (text === this.shown) return;
    this.screen.write(`${this.erase()}${text ? `${DIM}${text}${RESET}` : ''}`);
    this.shown = text;
  }

  line(words: string): void {
    const text = printableText(words);
    if (!text) return;
    if (!this.screen.tty) return this.screen.write(`${text}\n`);
    // The partial caption goes with it; the session sends what is still being recognized next.
    this.screen.write(`${this.erase()}${text}\n`);
    this.shown = '';
  }

  /** Leaves the terminal on a clean line. */
  finish(): void {
    if (this.screen.tty && this.shown) this.screen.write(this.erase());
    this.shown = '';
  }

  /**
   * Back to the start of the partial caption (which may have wrapped), clearing its rows
   * one by one: clearing to the end of the screen from its top-left corner makes tmux
   * push the whole screen into its history (scroll-on-clear).
   */
  private erase(): string {
    if (!this.shown) return '';
    const up = Math.max(1, Math.ceil(stringWidth(this.shown) / this.columns())) - 1;
    if (up === 0) return `\r${ERASE_LINE}`;
    return `\x1b[${up}A\r${ERASE_LINE}${`\x1b[1B${ERASE_LINE}`.repeat(up)}\x1b[${up}A`;
  }

  private columns(): number {
    const reported = this.screen.columns();
    return reported > 0 ? reported : 80;
  }
}
