import { PassThrough } from 'node:stream';
import { TerminalUi } from '../../src/cli/tui/terminal-ui.js';

/** What the UI asked of the session, in order: `mute`, `send <text>`, `quit`, … */
export type HandlerCalls = string[];

/**
 * A TerminalUi on fake streams (80×24, by default typing without a microphone): what it wrote
 * to the terminal, all of it, the keyboard it reads (write keys into it) and what it asked for.
 */
export function fakeTerminal(options: { microphone?: boolean } = {}): { ui: TerminalUi; written: () => string; keyboard: PassThrough; calls: HandlerCalls } {
  let written = '';
  const calls: HandlerCalls = [];
  const stdout = Object.assign(new PassThrough(), { columns: 80, rows: 24, isTTY: false });
  stdout.on('data', (chunk: Buffer) => { written += chunk.toString(); });
  const stdin = Object.assign(new PassThrough(), { isTTY: false, setRawMode: () => stdin });
  const ui = new TerminalUi(stdout as unknown as NodeJS.WriteStream, stdin as unknown as NodeJS.ReadStream,
    {
      toggleMute: () => calls.push('mute'), pushToTalk: () => calls.push('push-to-talk'), interrupt: () => calls.push('interrupt'),
      sendText: (text) => calls.push(`send ${text}`), quit: () => calls.push('quit'),
    },
    { offline: true, pushToTalk: false, microphone: options.microphone ?? false });
  return { ui, written: () => written, keyboard: stdin, calls };
}
