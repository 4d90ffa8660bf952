import { emitKeypressEvents } from 'node:readline';

export type KeyCommand =
  | { type: 'space' } | { type: 'escape' } | { type: 'enter' } | { type: 'backspace' }
  | { type: 'quit' } | { type: 'help' } | { type: 'char'; text: string } | { type: 'answer'; yes: boolean };

interface Keypress {
  name?: string;
  ctrl?: boolean;
  meta?: boolean;
  sequence?: string;
}

/** Maps one keypress (as Node's readline decodes it) to a command; q and ? are commands only outside typing. */
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
  if (!typing && /^[yYnN]$/.test(text)) return { type: 'answer', yes: text.toLowerCase() === 'y' };
  return typing ? { type: 'char', text } : undefined;
}

/** Puts the terminal in raw mode and reports key commands until `stop()`. */
export function readKeys(
  stdin: NodeJS.ReadStream,
  isTyping: () => boolean,
  onCommand: (command: KeyCommand) => void,
): { stop(): void } {
  emitKeypressEvents(stdin);
  stdin.setRawMode(true);
  stdin.resume();
  const listener = (text: string | undefined, key: Keypress | undefined): void => {
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
