import { LiveRegion } from './live-region.js';
import { onPreciseWidths, withoutLastGrapheme } from './text-width.js';
import { reduceUi, initialUi, type UiAction, type UiOptions, type UiState } from './ui-state.js';
import { statusLine, helpRows, fitWidth } from './status-line.js';
import { readKeys, type KeyCommand } from './key-input.js';
import { paletteFor } from './palette.js';
import { own } from '../../own-text.js';
import { printableLine, printableText } from '../../terminal-text.js';

export interface UiHandlers {
  toggleMute(): void;
  pushToTalk(): void;
  interrupt(): void;
  sendText(text: string): void;
  quit(): void;
}

const FRAME_MS = 50;
const COLORS = paletteFor(process.env);
const REVERSE = '\u001b[7m';
const ALL_ATTRIBUTES_OFF = '\u001b[0m';
const DIM = '\u001b[2m';
/** Asks the terminal to mark what is pasted, so a pasted newline is not Enter (key-input.ts). */
const BRACKETED_PASTE_ON = '\u001b[?2004h';
const BRACKETED_PASTE_OFF = '\u001b[?2004l';
const NORMAL_INTENSITY = '\u001b[22m';

function colorLabel(line: string): string {
  return line
    .replace(/^you:/, `${COLORS.you}you:${COLORS.reset}`)
    .replace(/^assistant:/, `${COLORS.assistant}assistant:${COLORS.reset}`);
}

/**
 * The interactive terminal: finished transcript lines go to the normal scrollback (so
 * nothing is lost on resize and the terminal itself wraps wide characters), and a small
 * live region at the bottom holds the line being streamed, the typing prompt and the
 * status bar, redrawn in place at most every 50 ms, and only when it changed.
 */
export class TerminalUi {
  private state: UiState;
  private partial = '';
  private readonly live: LiveRegion;
  private readonly keys;
  private frameTimer: NodeJS.Timeout | undefined;
  /** When the live region was last drawn (Date.now()). */
  private drawnAt = -Infinity;
  private closed = false;
  private question: { text: string; answer: (yes: boolean) => void } | undefined;

  constructor(
    private readonly stdout: NodeJS.WriteStream,
    stdin: NodeJS.ReadStream,
    private readonly handlers: UiHandlers,
    options: UiOptions,
  ) {
    this.state = initialUi(options);
    this.live = new LiveRegion(stdout);
    this.keys = readKeys(stdin, () => this.state.typing !== undefined, (command) => this.onKey(command));
    stdout.write(BRACKETED_PASTE_ON);
    // However kaiwa ends, the shell after it gets its pastes unmarked.
    process.once('exit', this.endBracketedPaste);
    stdout.on('resize', this.onResize);
    // Text other than ASCII was drawn with estimated widths while they loaded (text-width.ts).
    onPreciseWidths(() => this.scheduleRedraw());
    // Drawn once what starts with it has run: the session's first append goes out before it.
    this.frameTimer = setTimeout(this.redrawNow, 0);
  }

  get ui(): UiState {
    return this.state;
  }

  dispatch(action: UiAction): void {
    const next = reduceUi(this.state, action);
    if (next === this.state) return;
    this.state = next;
    this.scheduleRedraw();
  }

  /** Transcript text from the TranscriptPrinter: complete lines are committed above the live region. */
  write(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop()!;
    if (lines.length) this.commit(lines.map(colorLabel).join('\n'));
    else this.scheduleRedraw();
  }

  /**
   * Asks a yes/no question above the status bar (tool approval). One at a time; a
   * dismissed question (the session ended) counts as no. It names what the server asked
   * for (a tool and its arguments), so it is shown as one printable line.
   */
  ask(question: string, signal?: AbortSignal): Promise<boolean> {
    const text = printableLine(question);
    return new Promise((resolve) => {
      const finish = (yes: boolean): void => {
        if (this.question?.text !== text) return;
        this.question = undefined;
        this.note(`${text} ${yes ? 'yes' : 'no'}`);
        resolve(yes);
      };
      this.question = { text, answer: finish };
      signal?.addEventListener('abort', () => finish(false), { once: true });
      this.redrawNow();
    });
  }

  /** Side text from the server (a model's delegated work), dimmed so it is never taken for the answer. */
  aside(text: string): void {
    this.commit(`${DIM}${printableText(text)}${NORMAL_INTENSITY}`);
  }

  /** A line outside the transcript (warnings, usage, tool calls). */
  note(line: string): void {
    this.commit(line.replace(/\n$/, ''));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.stdout.off('resize', this.onResize);
    this.keys.stop();
    this.endBracketedPaste();
    process.off('exit', this.endBracketedPaste);
    this.question?.answer(false);
    this.live.clear();
    if (this.partial) this.stdout.write(`${colorLabel(this.partial)}\n`);
    this.live.done();
  }

  private commit(text: string): void {
    if (this.closed) return void this.stdout.write(`${text}\n`);
    this.live.clear();
    this.stdout.write(`${text}\n`);
    this.redrawNow();
  }

  /**
   * At once if the last frame is a frame old, else when it will be: the microphone's level
   * changes with every chunk it reads, and a frame drawn then costs no wake-up of its own.
   */
  private scheduleRedraw(): void {
    if (this.frameTimer || this.closed) return;
    const dueIn = this.drawnAt + FRAME_MS - Date.now();
    if (dueIn <= 0) return this.redrawNow();
    this.frameTimer = setTimeout(this.redrawNow, dueIn);
  }

  private readonly endBracketedPaste = (): void => {
    this.stdout.write(BRACKETED_PASTE_OFF);
  };

  private readonly onResize = (): void => {
    this.live.clearAfterResize();
    this.redrawNow();
  };

  private readonly redrawNow = (): void => {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
    if (this.closed) return;
    // One cell short of the edge: a row exactly as wide as the terminal leaves the cursor in
    // the terminal's pending-wrap state, and a later narrowing rewraps it unpredictably.
    const width = Math.max((this.stdout.columns || 80) - 1, 10);
    const rows: string[] = [];
    if (this.partial) rows.push(colorLabel(this.partial));
    if (this.state.typing !== undefined) rows.push(`${COLORS.you}${own`›`}${COLORS.reset} ${this.state.typing}${own`▏`}`);
    if (this.question) rows.push(`${COLORS.question}${fitWidth(this.question.text, width, own`…`)}${COLORS.reset}`);
    if (this.state.showHelp) {
      // The rows left once the status bar, the cursor's line and the rows under the help's are drawn.
      const spare = (this.stdout.rows || 24) - 2 - rows.length + (this.partial ? 1 : 0);
      rows.push(...helpRows(this.state, width, spare));
    }
    rows.push(`${REVERSE}${statusLine(this.state, width)}${ALL_ATTRIBUTES_OFF}`);
    this.drawnAt = Date.now();
    // The region writes nothing when the frame is the one shown.
    this.live.draw(rows.join('\n'));
  };

  private onKey(command: KeyCommand): void {
    // Pasted text is typed, never keys: it opens the line if it is closed.
    if (command.type === 'paste') return this.dispatch({ type: 'typing', text: (this.state.typing ?? '') + command.text });
    if (this.state.typing !== undefined) return this.onTypingKey(command);
    // A letter typed straight away begins a message: a sentence is not a string of key commands.
    if (command.type === 'answer') return this.question ? this.question.answer(command.yes) : this.dispatch({ type: 'typing', text: command.text });
    switch (command.type) {
      case 'char': return this.dispatch({ type: 'typing', text: command.text });
      case 'space': return this.state.pushToTalk ? this.handlers.pushToTalk() : this.handlers.toggleMute();
      case 'escape': return this.handlers.interrupt();
      case 'enter': return this.dispatch({ type: 'typing', text: '' });
      case 'help': return this.dispatch({ type: 'help', show: !this.state.showHelp });
      case 'quit': return this.handlers.quit();
      default: return undefined;
    }
  }

  private onTypingKey(command: KeyCommand): void {
    const text = this.state.typing ?? '';
    switch (command.type) {
      case 'char': return text === '' && this.onEmptyLineKey(command.text) ? undefined : this.dispatch({ type: 'typing', text: text + command.text });
      case 'backspace': return this.dispatch({ type: 'typing', text: withoutLastGrapheme(text) });
      // Without a microphone the line stays open: Esc on an empty one still stops the voice.
      case 'escape': return text === '' && !this.state.microphone ? this.handlers.interrupt() : this.dispatch({ type: 'typing', text: undefined });
      case 'quit': return this.handlers.quit();
      case 'enter':
        this.dispatch({ type: 'typing', text: undefined });
        if (text.trim()) this.handlers.sendText(text.trim());
        return undefined;
      default: return undefined;
    }
  }

  /**
   * Without a microphone every key types, so the commands that need one key are those of an
   * empty line: y/n while a tool asks, ? for help. True if the key was one.
   */
  private onEmptyLineKey(key: string): boolean {
    if (this.state.microphone) return false;
    if (this.question && /^[yYnN]$/.test(key)) {
      this.question.answer(key.toLowerCase() === 'y');
      return true;
    }
    if (key !== '?') return false;
    this.dispatch({ type: 'help', show: !this.state.showHelp });
    return true;
  }
}
