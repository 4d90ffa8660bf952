/**
 * A locale that is not UTF-8 (LANG=C, a Latin-1 one): its terminal shows kaiwa's own
 * symbols (● ✎ · ▮ → — …) as garbage, so kaiwa draws them in ASCII there. What the user
 * types and the model says is written as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';

/** LANG alone decides: the locale variables that come before it are emptied (empty counts as unset). */
const C_LOCALE = { LANG: 'C', LC_ALL: '', LC_CTYPE: '' };
const ONLY_ASCII = /^[\x00-\x7f]*$/;

test('with LANG=C the status bar, the prompt and the help are drawn in ASCII', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 80, C_LOCALE);
  try {
    await tmux.waitFor(/type to talk/);
    tmux.sendKeys('-l', 'hi');
    tmux.sendKeys('Enter');
    await tmux.waitFor(/assistant: You said: hi[\s\S]*no microphone/);
    tmux.sendKeys('-l', '?');
    const screen = await tmux.waitFor(/Ctrl-C: quit/);
    assert.match(screen, /^> no microphone \| type to talk/m, 'the status bar, its symbol and separator in ASCII');
    assert.match(screen, /\d+->\d+ tok free|offline/);
    assert.match(ONLY_ASCII.exec(screen)?.[0] ?? '', /no microphone/, `only ASCII on the screen:\n${screen}`);
    tmux.sendKeys('-l', 'ok');
    assert.match(await tmux.waitFor(/^> ok_/m), /^> ok_/m, 'the prompt and its cursor in ASCII');
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});

test('with LANG=C what the user types and the model answers is shown as it is', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 80, C_LOCALE);
  try {
    await tmux.waitFor(/type to talk/);
    tmux.sendKeys('-l', 'café ●');
    tmux.sendKeys('Enter');
    const screen = await tmux.waitFor(/assistant: You said: café ●/);
    assert.match(screen, /you: café ●/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
