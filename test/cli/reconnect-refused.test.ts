/**
 * A server that refuses us for good (401, 403, 404) is not retried: not at the first
 * connect, and not when it starts refusing while kaiwa reconnects after a drop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';

const KEY = 'sk-refused-test-key-1234567890';

/**
 * A real `ws` server on 127.0.0.1: it accepts the first `accepted` upgrades, says hello
 * and drops each such connection as soon as the session is configured; every later
 * upgrade is answered with `status`.
 */
async function droppingThenRefusing(status: number, accepted: number): Promise<{ url: string; upgrades: () => number; close: () => Promise<void> }> {
  let upgrades = 0;
  const server = new WebSocketServer({
    host: '127.0.0.1', port: 0,
    verifyClient: (_info, done) => { upgrades += 1; if (upgrades <= accepted) done(true); else done(false, status); },
  });
  server.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'session.created', event_id: 'e0', session: { type: 'realtime', model: 'gpt-realtime' } }));
    socket.on('message', (data) => { if (JSON.parse(data.toString()).type === 'session.update') socket.terminate(); });
  });
  await once(server, 'listening');
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    upgrades: () => upgrades,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

for (const [status, says] of [[401, /the server rejected the API key \(401 Unauthorized\): check OPENAI_API_KEY/], [403, /access denied \(403 Forbidden\)/], [404, /not found \(404\)/]] as const) {
  test(`${status} at the first connect: one attempt, one line, exit 1`, async () => {
    const server = await droppingThenRefusing(status, 0);
    try {
      const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY }, keepStdinOpen: true });
      assert.equal(result.code, 1, result.stderr);
      assertNoStackTrace(result.stderr);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.match(result.stderr, says);
      assert.equal(server.upgrades(), 1);
    } finally {
      await server.close();
    }
  });
}

test('401 while reconnecting after a drop ends the session at once with the one-line error, long before --reconnect-timeout', async () => {
  const server = await droppingThenRefusing(401, 1);
  try {
    const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker', '--reconnect-timeout', '600'], {
      env: { OPENAI_API_KEY: KEY }, keepStdinOpen: true, timeoutMs: 30_000,
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.signal, null, 'it ended by itself');
    assertNoStackTrace(result.stderr);
    assert.match(result.stderr, /^warn: connection lost \(code 1006\): reconnecting in \d+ ms \(attempt 1\)$/m);
    assert.match(result.stderr, /^error: cannot connect to ws:\/\/127\.0\.0\.1:\d+\/v1\/realtime: the server rejected the API key \(401 Unauthorized\): check OPENAI_API_KEY; ending the session$/m);
    assert.doesNotMatch(result.stderr, /attempt 2|could not reconnect/);
    assert.ok(!result.stderr.includes(KEY));
    assert.equal(server.upgrades(), 2, 'the first connection and one reconnect attempt');
  } finally {
    await server.close();
  }
});
