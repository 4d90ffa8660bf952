import { emitKeypressEvents } from 'node:readline';

export type KeyCommand =
  | { type: 'space' } | { type: 'escape' } | { type: 'enter' } | { type: 'backspace' }
  | { type: 'quit' } | { type: 'help' } | { type: 'char'; text: string } | { type: 'answer'; yes: boolean; text: string }
  | { type: 'paste'; text: string };

interface Keypress {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
  sequence?: string;
}

/**
 * Maps one keypress (as Node's readline decodes it) to a command. Outside typing, Space, q, ?
 * (and y / n, which the UI takes as text when no tool asks) are commands; any other character
 * is text, and opens the typed line.
 */
export function commandOf(text: string | undefined, key: Keypress | undefined, typing: boolean): KeyCommand | undefined {
  if (key?.ctrl && (key.name === 'c' || key.name === 'd')) return { type: 'quit' };
  switch (key?.name) {
    case 'escape': return { type: 'escape' };
    case 'return': case 'enter': return { type: 'enter' };
    case 'backspace': return { type: 'backspace' };
    case 'space': return typing ? { type: 'char', text: ' ' } : { type: 'space' };
  }
  if (!text || key?.ctrl || key?.meta || /[\u0000-\u001f]/.test(text)) return undefined;
  if (!typing && text === 'q') return { type: 'quit' };
  if (!typing && text === '?') return { type: 'help' };
  if (!typing && /^[yYnN]$/.test(text)) return { type: 'answer', yes: text.toLowerCase() === 'y', text };
  return { type: 'char', text };
}

/**
 * Pasted text as one line to type: its line breaks and tabs become spaces, its control
 * characters go. A terminal sends a paste's newlines as Enter, which would send the line
 * and make the rest keys (a "q" in it quit kaiwa).
 */
export class PasteCollector {
  private text: string | undefined;

  /** True while a paste is coming in: the key was taken as part of it (or as one of its marks). */
  take(text: string | undefined, key: Keypress | undefined): boolean {
    if (key?.name === 'paste-start') {
      this.text = '';
      return true;
    }
    if (this.text === undefined) return false;
    if (key?.name !== 'paste-end') {
      const sequence = text ?? key?.sequence ?? '';
      this.text += /^[\r\n\t]$/.test(sequence) ? ' ' : sequence.replace(/[\u0000-\u001f\u007f]/g, '');
    }
    return true;
  }

  /** The paste, once its end mark came (then it is forgotten). */
  finished(key: Keypress | undefined): string | undefined {
    if (key?.name !== 'paste-end' || this.text === undefined) return undefined;
    const text = this.text;
    this.text = undefined;
    return text;
  }
}

/**
 * Puts the terminal in raw mode and reports key commands until `stop()`. The terminal is
 * asked to mark pastes (bracketed paste), so a paste comes as one `paste` command.
 */
export function readKeys(
  stdin: NodeJS.ReadStream,
  isTyping: () => boolean,
  onCommand: (command: KeyCommand) => void,
): { stop(): void } {
  emitKeypressEvents(stdin);
  stdin.setRawMode(true);
  stdin.resume();
  const paste = new PasteCollector();
  const listener = (text: string | undefined, key: Keypress | undefined): void => {
    if (paste.take(text, key)) {
      const pasted = paste.finished(key);
      if (pasted) onCommand({ type: 'paste', text: pasted });
      return;
    }
    const command = commandOf(text, key, isTyping());
    if (command) onCommand(command);
  };
  stdin.on('keypress', listener);
  return {
    stop: () => {
      stdin.off('keypress', listener);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
    },
  };
}
