import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTypedLine, typedLineRefusal } from '../../src/cli/typed-line-check.js';

const bytes = (values: number[]): Buffer => Buffer.from(values);

test('a WAV header is known whatever its size bytes are; binary and non-UTF-8 lines are refused; text passes', () => {
  for (const size of [[0x24, 0x00, 0x00, 0x00], [0x24, 0xe0, 0x01, 0x00], [0xff, 0xfe, 0x7f, 0x00]]) {
    const header = Buffer.concat([Buffer.from('RIFF'), bytes(size), Buffer.from('WAVEfmt ')]);
    assert.deepEqual(readTypedLine(header, true), { refused: 'a WAV file' }, JSON.stringify(size));
  }
  assert.deepEqual(readTypedLine(Buffer.from('a\u0000b'), false), { refused: 'binary data' });
  assert.deepEqual(readTypedLine(bytes([0x63, 0x61, 0x66, 0xe9]), false), { refused: 'not UTF-8' });
  for (const text of ['hello', '今日はいい天気ですね', 'RIFF is a file format', 'emoji 👨‍👩‍👧']) assert.deepEqual(readTypedLine(Buffer.from(text), true), { text }, text);
});

test('a line that really holds U+FFFD is text; only bytes that are not UTF-8 are refused', () => {
  assert.deepEqual(readTypedLine(Buffer.from('what does \uFFFD mean?'), false), { text: 'what does \uFFFD mean?' });
  assert.deepEqual(readTypedLine(bytes([0xef, 0xbf, 0xbd]), true), { text: '\uFFFD' });
  // A sequence cut short, an overlong form, a lone surrogate: each is no UTF-8.
  for (const bad of [[0xe6, 0x97], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) assert.deepEqual(readTypedLine(bytes(bad), false), { refused: 'not UTF-8' }, JSON.stringify(bad));
});

test('a refused later line is named by its number; the first says nothing was sent', () => {
  assert.match(typedLineRefusal('not UTF-8', 4, true), /^line 4 of standard input is not UTF-8 text: it and the lines after it were not sent/);
  assert.match(typedLineRefusal('binary data', 2, true), /^line 2 of standard input holds binary data/);
  assert.match(typedLineRefusal('not UTF-8', 1, false), /nothing of this line was sent/);
});
