/** A narrow terminal shows the status's state in full; what it drops is the meter, tokens and help. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';

test('in a terminal 30 columns wide the status still says "no microphone · type to talk" whole', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 30);
  try {
    const screen = await tmux.waitFor(/no microphone/);
    assert.match(screen, /^(✎ )?no microphone · type to talk\s*$/m);
    assert.doesNotMatch(screen, /…/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
