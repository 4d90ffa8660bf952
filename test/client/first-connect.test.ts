import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectWithRetries } from '../../src/client/first-connect.js';
import { ConnectionError } from '../../src/errors.js';

const refused = (status: number): ConnectionError => new ConnectionError(`cannot connect: HTTP ${status}`, { status });

function failingThen<T>(errors: Error[], value: T): { connect: () => Promise<T>; tries: () => number } {
  let tries = 0;
  return {
    connect: async () => {
      tries += 1;
      const error = errors[tries - 1];
      if (error) throw error;
      return value;
    },
    tries: () => tries,
  };
}

test('a refusal that passes (503, 429) is tried again, twice at most, waiting 0.5 s then 1 s', async () => {
  const server = failingThen([refused(503), refused(429)], 'socket');
  const waits: number[] = [];
  const socket = await connectWithRetries(server.connect, { firstDelayMs: 1, onRetry: (_error, delayMs) => waits.push(delayMs) });
  assert.equal(socket, 'socket');
  assert.equal(server.tries(), 3);
  assert.deepEqual(waits, [1, 2]);
  const defaults: number[] = [];
  await assert.rejects(connectWithRetries(failingThen([refused(503), refused(503), refused(503)], 'x').connect, {
    onRetry: (_error, delayMs) => defaults.push(delayMs), signal: AbortSignal.timeout(0),
  }), /HTTP 503/);
  assert.deepEqual(defaults, [500], 'the default first wait; a stop signal ends the waiting with the refusal');
});

test('a third refusal, a refused socket or a 401 fails at once with its own error', async () => {
  const three = failingThen([refused(503), refused(503), refused(503)], 'x');
  await assert.rejects(connectWithRetries(three.connect, { firstDelayMs: 1 }), /HTTP 503/);
  assert.equal(three.tries(), 3);
  for (const error of [refused(401), new ConnectionError('cannot connect: connection refused', { code: 'ECONNREFUSED' }), new Error('bug')]) {
    const once = failingThen([error], 'x');
    await assert.rejects(connectWithRetries(once.connect, { firstDelayMs: 1 }), error);
    assert.equal(once.tries(), 1, error.message);
  }
});
