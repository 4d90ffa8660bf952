/** The ? help in a small terminal: every key it names is readable, and the status bar stays in view. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';
import { helpRows } from '../../../src/cli/tui/status-line.js';
import { initialUi } from '../../../src/cli/tui/ui-state.js';
import { textWidth } from '../../../src/cli/tui/text-width.js';

/** The status bar with no microphone; 30 columns leave out its symbol (it shortens by priority). */
const STATUS_BAR = /(?:✎ )?no microphone · type to talk/;

test('in a terminal 30 columns wide the help is wrapped onto rows, not cut after its first words', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 30, {}, 12);
  try {
    await tmux.waitFor(STATUS_BAR);
    tmux.sendKeys('?');
    const screen = await tmux.waitFor(/Ctrl-C: quit/);
    for (const words of ['Enter sends', 'Esc: clear the line', 'interrupt the reply', 'answer a tool', '?: help']) {
      assert.ok(screen.replace(/\n/g, ' ').includes(words), `${words} is shown:\n${screen}`);
    }
    const rows = screen.split('\n').filter((row) => row.trim());
    assert.match(rows.at(-1)!, new RegExp(`^${STATUS_BAR.source}`), 'the status bar is the last row');
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});

test('in a terminal 5 rows high the help takes the rows there are, cut with an ellipsis, and the prompt and status bar stay', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 30, {}, 5);
  try {
    await tmux.waitFor(STATUS_BAR);
    tmux.sendKeys('?');
    const screen = await tmux.waitFor(/type, Enter sends/);
    assert.match(screen, new RegExp(`› ▏\ntype, Enter sends[^\n]*\n[^\n]*…\n${STATUS_BAR.source}`));
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});

test('help rows never overflow the width, and keep to the rows allowed', () => {
  const state = initialUi({ offline: true, pushToTalk: false, microphone: true });
  for (const width of [10, 20, 29, 40, 79]) {
    const rows = helpRows(state, width, 100);
    for (const row of rows) assert.ok(textWidth(row) <= width, `${JSON.stringify(row)} fits ${width}`);
    assert.ok(rows.join(' ').includes('Ctrl-C: quit') || width < 12);
    assert.equal(helpRows(state, width, 2).length, Math.min(2, rows.length));
  }
  assert.deepEqual(helpRows(state, 500, 3).length, 1, 'a wide terminal shows it on one row');
});
