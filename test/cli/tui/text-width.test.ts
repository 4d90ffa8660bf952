/** string-width is loaded only once text other than ASCII and kaiwa's own symbols is shown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { graphemeWidth, loadPreciseWidths, onPreciseWidths, preciseWidthsWanted, textWidth } from '../../../src/cli/tui/text-width.js';
import { statusLine } from '../../../src/cli/tui/status-line.js';
import { initialUi, reduceUi } from '../../../src/cli/tui/ui-state.js';

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('the status bar and ASCII are measured without loading string-width; other text is estimated wide until it has loaded, then measured exactly', async () => {
  let told = 0;
  onPreciseWidths(() => { told += 1; });
  const state = reduceUi(initialUi({ offline: true, pushToTalk: false, microphone: true }), { type: 'connected' });
  for (const width of [30, 60, 120]) statusLine(state, width);
  for (const text of ['● listening  ▮▮▮▯▯▯▯▯▯▯  12→34 tok free  ? help', 'you: hello there — it’s "fine"…']) assert.equal(textWidth(text), stringWidth(text), text);
  await settled();
  assert.equal(preciseWidthsWanted(), false, 'string-width not asked for by ASCII and kaiwa\'s symbols');
  assert.equal(told, 0);

  // A combining accent draws no cell; until string-width is there it counts as 2, never fewer than it takes.
  assert.equal(graphemeWidth('e\u0301'), 2);
  assert.equal(graphemeWidth('日'), 2);
  assert.equal(preciseWidthsWanted(), true, 'asked for by the first other character');
  await loadPreciseWidths();
  assert.equal(told, 1, 'the screen is told, to draw again');
  assert.equal(graphemeWidth('e\u0301'), stringWidth('e\u0301'));
  for (const text of ['Cafe\u0301', '日本語', '👨‍👩‍👧‍👦', 'ｶﾞ']) assert.equal(textWidth(text), stringWidth(text), text);
});
