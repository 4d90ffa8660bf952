import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RedactingLogger } from '../src/logger.js';
import { MAX_LINE_LENGTH } from '../src/terminal-text.js';
import { inAsciiLocale } from './helpers/own-text-in-ascii.js';

function logged(message: string, secret?: string): string {
  let out = '';
  const logger = new RedactingLogger((line) => { out += line; }, 'debug');
  logger.addSecret(secret);
  logger.log('warn', message);
  return out;
}

test('a message with escape sequences and line breaks is written as one line without them', () => {
  assert.equal(logged('server error: \u001b[31mbad\u001b[0m\nthing\r\n\u001b]0;title\u0007done'), 'warn: server error: bad thing done\n');
});

test('a huge message is cut to a readable length, in the middle, on one line', () => {
  const line = logged(`server error: ${'x'.repeat(200_000)} (event_1)`);
  assert.ok(line.length <= MAX_LINE_LENGTH + 'warn: \n'.length, `got ${line.length} characters`);
  assert.ok(line.startsWith('warn: server error: xxx'));
  assert.ok(line.endsWith('xxx (event_1)\n'), line);
  assert.equal(line.split('…').length, 2, 'one ellipsis');
  assert.equal(line.split('\n').length, 2, 'one line');
});

test('kaiwa\'s own warning with a long file path keeps its end: the file name and the reason', () => {
  const path = `/srv/${'deeply-nested-folder/'.repeat(30)}events.jsonl`;
  const line = logged(`cannot write ${path}: no space left on the device; the recording stops here`);
  assert.ok(line.length <= MAX_LINE_LENGTH + 'warn: \n'.length, `got ${line.length} characters`);
  assert.ok(line.startsWith('warn: cannot write /srv/deeply-nested-folder/'), line);
  assert.ok(line.endsWith('/events.jsonl: no space left on the device; the recording stops here\n'), line);
});

test('a key split by an escape sequence is still redacted once the sequence is gone', () => {
  const secret = 'my-own-secret-value-123';
  const line = logged(`echo: my-own-\u001b[0msecret-value-123 and sk-abcd\u001b[mefghijkl`, secret);
  assert.equal(line, 'warn: echo: [redacted] and sk-[redacted]\n');
});

test('Japanese and emoji in a message are written as they are', () => {
  assert.equal(logged('こんにちは 👋'), 'warn: こんにちは 👋\n');
});

test('outside UTF-8 the logger changes only its own cut mark: the symbols of the message it is given are the caller\'s to choose', () => {
  const line = inAsciiLocale(() => logged(`tool said → Café · Noir… ${'x'.repeat(400)} end`));
  assert.match(line, /^warn: tool said → Café · Noir… x+\.\.\.x+ end\n$/);
  assert.ok(line.length <= MAX_LINE_LENGTH + 'warn: \n'.length, `got ${line.length} characters`);
});
