import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notTypedText } from '../../src/cli/typed-line-check.js';

const decoded = (bytes: number[]): string => Buffer.from(bytes).toString('utf8');

test('a WAV header is known whatever its size bytes decode to; binary and non-UTF-8 lines are refused; text passes', () => {
  for (const size of [[0x24, 0x00, 0x00, 0x00], [0x24, 0xe0, 0x01, 0x00], [0xff, 0xfe, 0x7f, 0x00]]) {
    const header = decoded([...Buffer.from('RIFF'), ...size, ...Buffer.from('WAVEfmt ')]);
    assert.match(notTypedText(header, true) ?? '', /is a WAV file.*use --input -/, JSON.stringify(size));
  }
  assert.match(notTypedText('a\u0000b', false) ?? '', /binary data/);
  assert.match(notTypedText(decoded([0x63, 0x61, 0x66, 0xe9]), false) ?? '', /not UTF-8 text/);
  for (const text of ['hello', '今日はいい天気ですね', 'RIFF is a file format', 'emoji 👨‍👩‍👧']) assert.equal(notTypedText(text, true), undefined, text);
});
