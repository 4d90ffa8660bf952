import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import { ByteLines } from '../../src/cli/byte-lines.js';

async function linesOf(chunks: Buffer[]): Promise<string[]> {
  const input = new PassThrough();
  const lines = new ByteLines(input);
  const seen: string[] = [];
  lines.on('line', (bytes, number) => seen.push(`${number}:${bytes.toString('latin1')}`));
  const closed = once(lines, 'close');
  for (const chunk of chunks) input.write(chunk);
  input.end();
  await closed;
  return seen;
}

test('lines end at \\n, \\r\\n or a lone \\r, across chunks; the last line needs no end', async () => {
  assert.deepEqual(await linesOf([Buffer.from('a\nb\r\nc\rd')]), ['1:a', '2:b', '3:c', '4:d']);
  assert.deepEqual(await linesOf([Buffer.from('ab'), Buffer.from('c\r'), Buffer.from('\nd\n')]), ['1:abc', '2:d']);
  assert.deepEqual(await linesOf([Buffer.from('\n\n')]), ['1:', '2:']);
});

test('a character split between chunks reaches the line whole, as bytes', async () => {
  const bytes = Buffer.from('日本\n');
  assert.deepEqual(await linesOf([bytes.subarray(0, 2), bytes.subarray(2)]), [`1:${bytes.subarray(0, bytes.length - 1).toString('latin1')}`]);
});

test('close() stops at once: no line after it', async () => {
  const input = new PassThrough();
  const lines = new ByteLines(input);
  const seen: number[] = [];
  lines.on('line', (_bytes, number) => { seen.push(number); if (number === 1) lines.close(); });
  const closed = once(lines, 'close');
  input.end('one\ntwo\nthree\n');
  await closed;
  assert.deepEqual(seen, [1]);
});
