import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canRedrawInPlace } from '../../src/cli/terminal-redraw.js';
import { wantsTerminalUi } from '../../src/cli/run-terminal.js';
import type { ChatIo } from '../../src/cli/chat-run.js';
import type { ChatOptions } from '../../src/cli/chat-options.js';

test('only a terminal that is not dumb is redrawn in place; the chat\'s UI asks the same', () => {
  assert.equal(canRedrawInPlace({ isTTY: true }, { TERM: 'xterm-256color' }), true);
  assert.equal(canRedrawInPlace({ isTTY: true }, { TERM: 'dumb' }), false);
  assert.equal(canRedrawInPlace({ isTTY: false }, { TERM: 'xterm' }), false);
  assert.equal(canRedrawInPlace({}, {}), false);
  const io = { stdout: { isTTY: true }, stdin: { isTTY: true } } as unknown as ChatIo;
  const options = { json: false } as ChatOptions;
  assert.equal(wantsTerminalUi(io, options, { TERM: 'xterm' }), true);
  assert.equal(wantsTerminalUi(io, options, { TERM: 'dumb' }), false);
});
