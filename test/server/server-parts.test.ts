import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SentenceSplitter } from '../../src/server/sentences.js';
import { truncateTranscript } from '../../src/server/truncation.js';
import { textTokens, userAudioTokens, assistantAudioTokens, usageOf } from '../../src/server/token-tally.js';
import { InputAudioBuffer } from '../../src/server/input-audio-buffer.js';
import { RateLimitWindow } from '../../src/server/rate-limits.js';
import { newId } from '../../src/server/ids.js';
import { tone } from '../helpers/server-speech.js';

test('sentences are released when complete, run-ons at a space, the rest on flush', () => {
  const splitter = new SentenceSplitter();
  assert.deepEqual(splitter.push('Hello there. How'), ['Hello there.']);
  assert.deepEqual(splitter.push(' are you? Pi is 3.'), ['How are you?']);
  assert.deepEqual(splitter.push('14 exactly'), []);
  assert.deepEqual(splitter.flush(), ['Pi is 3.14 exactly']);
  assert.ok(new SentenceSplitter().push(`${'word '.repeat(100)}`).every((piece) => piece.length <= 240));
});

test('truncated transcripts keep the heard share, cut back to a whole word', () => {
  assert.equal(truncateTranscript('one two three four', 0.5), 'one two');
  assert.equal(truncateTranscript('one two three four', 0.55), 'one two');
  assert.equal(truncateTranscript('one two three four', 1), 'one two three four');
  assert.equal(truncateTranscript('one two three four', 0), '');
});

test('token estimates: ~4 ASCII characters a token, one per other character, audio by duration', () => {
  assert.equal(textTokens(''), 0);
  assert.equal(textTokens('abcd'), 1);
  assert.equal(textTokens('abcde'), 2);
  assert.equal(textTokens('こんにちは'), 5);
  assert.equal(userAudioTokens(1000), 10);
  assert.equal(assistantAudioTokens(1000), 20);
  const usage = usageOf({ text: 3, audio: 10 }, { text: 2, audio: 20 });
  assert.equal(usage.total_tokens, 35);
  assert.equal(usage.input_token_details?.cached_tokens, 0);
});

test('the input buffer counts session time, takes ranges, trims, and refuses audio past its limit', () => {
  const buffer = new InputAudioBuffer(24000, 2000);
  buffer.append(tone(1000));
  assert.equal(buffer.sessionMs, 1000);
  const taken = buffer.take(200, 700);
  assert.equal(taken.length, 500 * 48);
  assert.equal(buffer.bufferStartMs, 700);
  buffer.trimBefore(900);
  assert.equal(Math.round(buffer.durationMs), 100);
  const before = buffer.durationMs;
  buffer.append(Buffer.from([1]));
  assert.equal(buffer.durationMs, before, 'an odd byte waits for its pair');
  buffer.append(Buffer.from([2]));
  assert.ok(Math.abs(buffer.durationMs - before - 1 / 24) < 1e-9, 'then counts as one sample');
  assert.throws(() => buffer.append(tone(2500)), /buffer is full/);
  assert.equal(buffer.takeAll().length % 2, 0);
  assert.equal(buffer.durationMs, 0);
});

test('rate limits report the last minute of use', () => {
  let now = 0;
  const window = new RateLimitWindow(() => now);
  window.record(100);
  now = 30_000;
  const [requests, tokens] = window.record(50);
  assert.equal(requests!.remaining, 998);
  assert.equal(tokens!.remaining, 1_000_000 - 150);
  now = 70_000;
  assert.equal(window.record(0)[1]!.remaining, 1_000_000 - 50);
});

test('ids look like the service\'s', () => {
  assert.match(newId('item'), /^item_[A-Za-z0-9]{21}$/);
  assert.notEqual(newId('event'), newId('event'));
});
