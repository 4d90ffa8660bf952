/** Backspace takes back one character as the terminal shows it, however many code points it is. */
import { test } from 'node:test';
import { kaiwaInTmux } from '../../helpers/tmux.js';

test('backspace removes a whole emoji with its skin tone, and a letter with its accent, not half of either', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 40);
  try {
    await tmux.waitFor(/type to talk/);
    tmux.sendKeys('-l', 'ab\u{1F44D}\u{1F3FD}c');
    await tmux.waitFor(/c▏/);
    tmux.sendKeys('BSpace', 'BSpace');
    await tmux.waitFor(/› ab▏/);
    tmux.sendKeys('-l', 'xe\u0301y');
    await tmux.waitFor(/y▏/);
    tmux.sendKeys('BSpace', 'BSpace');
    await tmux.waitFor(/› abx▏/);
    tmux.sendKeys('-l', '日本');
    await tmux.waitFor(/本▏/);
    tmux.sendKeys('BSpace');
    await tmux.waitFor(/› abx日▏/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
