import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldLogger } from '../src/held-logger.js';
import type { LogLevel } from '../src/logger.js';

test('lines wait until release, come out in order, and pass straight through afterwards; never released, none come out', () => {
  const written: Array<[LogLevel, string]> = [];
  const held = new HeldLogger({ log: (level, message) => written.push([level, message]) });
  held.log('warn', 'no speaker');
  held.log('info', 'text mode');
  assert.deepEqual(written, []);
  held.release();
  assert.deepEqual(written, [['warn', 'no speaker'], ['info', 'text mode']]);
  held.log('debug', 'later');
  held.release();
  assert.deepEqual(written.at(-1), ['debug', 'later']);
  assert.equal(written.length, 3);
  const dropped: string[] = [];
  new HeldLogger({ log: (_level, message) => dropped.push(message) }).log('warn', 'a device of a run refused');
  assert.deepEqual(dropped, []);
});
