/** NO_COLOR (no-color.org): the screen has no colours; the status bar keeps its reverse video, which is no colour. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';

/** An SGR sequence that sets a foreground or background colour (30–38, 40–48, 90–97, 100–107). */
const SETS_A_COLOUR = /\u001b\[(?:[0-9]+;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]+)*m/;

test('with NO_COLOR set the labels, the prompt and the question are drawn without colour', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 80, { NO_COLOR: '1' });
  try {
    await tmux.waitFor(/type to talk/);
    tmux.sendKeys('-l', 'hi');
    tmux.sendKeys('Enter');
    await tmux.waitFor(/assistant: You said: hi[\s\S]*✎ no microphone/);
    const screen = tmux.captureWithEscapes();
    assert.doesNotMatch(screen, SETS_A_COLOUR, JSON.stringify(screen));
    assert.match(screen, /\u001b\[7m✎ no microphone/, 'the status bar is still shown in reverse');
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});

test('without NO_COLOR the labels are coloured', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 80);
  try {
    await tmux.waitFor(/type to talk/);
    tmux.sendKeys('-l', 'hi');
    tmux.sendKeys('Enter');
    await tmux.waitFor(/assistant: You said: hi[\s\S]*✎ no microphone/);
    assert.match(tmux.captureWithEscapes(), SETS_A_COLOUR);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
