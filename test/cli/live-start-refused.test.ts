/**
 * A GPT-Live server that refuses `session.start` (here kaiwa serve, which runs no delegation
 * backend for --delegate-model) never starts the session: nothing kaiwa sends after can be
 * answered. kaiwa says why in one line and ends at once, exit 1, as after any fatal error;
 * it waited 30 s for an answer first (or, in a terminal, for ever).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { startTestServer } from '../helpers/server-harness.js';

test('--protocol live whose session.start the server refuses: one line saying why, exit 1 at once, the typed line reported as not sent', async () => {
  const server = await startTestServer();
  const started = performance.now();
  const result = await runKaiwa(
    ['--protocol', 'live', '--url', server.url, '--no-mic', '--no-speaker', '--builtin-tools', 'time', '--delegate-model', 'gpt-5-mini', '--text', 'what time is it?', '--once'],
    { env: { OPENAI_API_KEY: 'sk-test' }, timeoutMs: 25_000 },
  );
  const tookMs = performance.now() - started;
  assert.equal(result.code, 1, result.stderr);
  assertNoStackTrace(result.stderr);
  assert.match(result.stderr, /^error: server error: unsupported_delegation: .*use client delegation.* ending the session\)$/m);
  assert.doesNotMatch(result.stderr, /said nothing of kaiwa's request/);
  // Live held the line for a session that never started: it never went out, and is not said to have.
  assert.match(result.stderr, /^warn: not sent \(the session never started\): "what time is it\?"$/m);
  assert.ok(tookMs < 15_000, `ended after ${Math.round(tookMs)} ms`);
});
