import { PassThrough } from 'node:stream';
import { TerminalUi } from '../../src/cli/tui/terminal-ui.js';

/** A TerminalUi on fake streams (80×24, typing without a microphone): what it wrote to the terminal, all of it. */
export function fakeTerminal(): { ui: TerminalUi; written: () => string } {
  let written = '';
  const stdout = Object.assign(new PassThrough(), { columns: 80, rows: 24, isTTY: false });
  stdout.on('data', (chunk: Buffer) => { written += chunk.toString(); });
  const stdin = Object.assign(new PassThrough(), { isTTY: false, setRawMode: () => stdin });
  const ui = new TerminalUi(stdout as unknown as NodeJS.WriteStream, stdin as unknown as NodeJS.ReadStream,
    { toggleMute: () => undefined, pushToTalk: () => undefined, interrupt: () => undefined, sendText: () => undefined, quit: () => undefined },
    { offline: true, pushToTalk: false, microphone: false });
  return { ui, written: () => written };
}
