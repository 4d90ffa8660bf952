/**
 * TERM=dumb (Emacs' shell, some CI consoles) is a terminal that cannot move its cursor:
 * kaiwa talks there in plain lines, as on a pipe, with no status bar redrawn in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../helpers/tmux.js';

test('with TERM=dumb there is no status bar and no cursor movement; a typed line and Enter still talk', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 80, { TERM: 'dumb' });
  try {
    await tmux.waitFor(/offline \(--local\)/);
    tmux.sendKeys('-l', 'hello');
    tmux.sendKeys('Enter');
    const screen = await tmux.waitFor(/assistant: You said: hello/);
    assert.doesNotMatch(screen, /type to talk|▏|tok free/, 'no status bar, no drawn prompt');
    assert.doesNotMatch(tmux.captureWithEscapes(), /\u001b\[7m/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
