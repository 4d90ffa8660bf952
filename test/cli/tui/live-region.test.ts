import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import stringWidth from 'string-width';
import { LiveRegion, wrapRows } from '../../../src/cli/tui/live-region.js';
import { loadPreciseWidths, textWidth } from '../../../src/cli/tui/text-width.js';

function terminal(columns: number, rows: number): { stdout: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stdout = Object.assign(new PassThrough(), { columns, rows, isTTY: true });
  const write = stdout.write.bind(stdout);
  stdout.write = ((chunk: string) => { written.push(chunk); return write(chunk); }) as typeof stdout.write;
  return { stdout: stdout as unknown as NodeJS.WriteStream, written };
}

/** How many lines a frame's erase sequence clears (each ESC[2K is one). */
const erased = (output: string): number => output.split('\u001b[2K').length - 1;

test('text is measured as string-width measures it: ASCII, the status bar\'s symbols, CJK, emoji, combining marks', async () => {
  await loadPreciseWidths();
  for (const text of ['hello there', '● listening  ▮▮▯▯  12→34 tok', '✎ no microphone · type to talk', '◉ you’re speaking', '› typing▏',
    '日本語のテキスト', '👨‍👩‍👧‍👦 family', 'Cafe\u0301', '한국어', 'ｶﾞ', '—', '']) {
    assert.equal(textWidth(text), stringWidth(text), text);
  }
});

test('rows break where the terminal would wrap: a wide character that does not fit starts the next row; colours take no cells', async () => {
  await loadPreciseWidths();
  assert.deepEqual(wrapRows('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  assert.deepEqual(wrapRows('abc日本', 4), ['abc', '日本']);
  assert.deepEqual(wrapRows('\u001b[32massistant:\u001b[0m hi', 12), ['\u001b[32massistant:\u001b[0m h', 'i']);
  assert.deepEqual(wrapRows('one\n\nthree', 10), ['one', '', 'three']);
  assert.deepEqual(wrapRows('ab\u001b[1mcdef\u001b[0mg', 3), ['ab\u001b[1mc', 'def\u001b[0m', 'g']);
  // Narrower than a wide character: it takes a row of its own, and what follows goes on.
  assert.deepEqual(wrapRows('日ab', 1), ['日', 'a', 'b']);
  for (const row of wrapRows('秋の風、少し寒くて、そっと終わる。タスク完了、おつかれさまです。', 15)) assert.ok(stringWidth(row) <= 15, row);
});

test('each frame erases exactly the lines the last one took, wrapped rows included; the same frame again writes nothing', () => {
  const { stdout, written } = terminal(10, 24);
  const region = new LiveRegion(stdout);
  region.draw('a line that wraps twice\nstatus');
  assert.equal(erased(written.at(-1)!), 0, 'the first frame erases nothing');
  assert.ok(written.includes('\u001b[?25l'), 'cursor hidden');
  const count = written.length;
  region.draw('a line that wraps twice\nstatus');
  assert.equal(written.length, count, 'unchanged: nothing written');
  region.draw('short\nstatus');
  // 'a line that wraps twice' is 3 rows at 10 columns, the status 1, and the cursor's line under them.
  assert.equal(erased(written.at(-1)!), 5);
  region.draw('status');
  assert.equal(erased(written.at(-1)!), 3);
  region.clear();
  assert.equal(erased(written.at(-1)!), 2);
  region.done();
  assert.equal(written.at(-1), '\u001b[?25h', 'cursor shown again');
});

test('a frame taller than the terminal keeps its bottom rows: the status bar stays in view', () => {
  const { stdout, written } = terminal(20, 4);
  const region = new LiveRegion(stdout);
  region.draw('1\n2\n3\n4\n5\nstatus');
  const frame = written.at(-1)!.replace(/\u001b\[\?2026[hl]/g, '');
  assert.equal(frame, '4\n5\nstatus\n');
  region.draw('status');
  assert.equal(erased(written.at(-1)!), 4, 'three rows and the cursor\'s line');
});

test('after the terminal narrows, the rows it rewrapped are erased too (no stale status bar in the scrollback)', () => {
  const { stdout, written } = terminal(10, 24);
  const region = new LiveRegion(stdout);
  region.draw('\u001b[32mabcdefghij\u001b[0m\nstatus');
  Object.assign(stdout, { columns: 5 });
  region.clearAfterResize();
  // Two rows and the cursor's line as drawn; at 5 columns each row now takes two: two more, up and erased.
  assert.equal(erased(written.at(-2)!), 3);
  assert.equal(written.at(-1), '\u001b[2A\r\u001b[J');
  region.draw('status');
  assert.equal(erased(written.at(-1)!), 0, 'drawn afresh: nothing left to erase');
});
