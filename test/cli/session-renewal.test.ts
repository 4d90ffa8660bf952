/**
 * The service ends a session after 60 minutes. kaiwa renews it before that, between turns:
 * played here with a kaiwa serve whose sessions last 4 s and a kaiwa that renews after 1.2 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server-harness.js';
import { runKaiwa } from '../helpers/cli-runner.js';

test('a session renewed before the service ends it: one status line each time, no lost turn, no reconnect', async () => {
  const server = await startTestServer({ limits: { lifetimeSeconds: 4 } });
  const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker', '--modalities', 'text', '--renew-after-minutes', '0.02'], {
    env: { OPENAI_API_KEY: 'sk-renewal-test' }, keepStdinOpen: true, timeoutMs: 30_000,
    onSpawn: (child, output) => {
      child.stdin.write('first question\n');
      const renewals = (): number => output.stderr().split('\n').filter((line) => line.includes('session renewed')).length;
      // Keep talking across several session lifetimes; each line once, after the previous one is answered.
      let asked = 1;
      const poll = setInterval(() => {
        const answered = output.stdout().split('\n').filter((line) => line.startsWith('assistant:')).length;
        if (asked === 1 && answered === 1 && renewals() >= 2) {
          asked = 2;
          child.stdin.write('second question\n');
        }
        if (asked === 2 && answered === 2 && renewals() >= 5) {
          asked = 3;
          clearInterval(poll);
          child.stdin.write('third question\n');
          child.stdin.end();
        }
      }, 20);
      child.on('close', () => clearInterval(poll));
    },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(result.stdout.split('\n').filter((line) => line.startsWith('assistant:')), [
    'assistant: You said: first question', 'assistant: You said: second question', 'assistant: You said: third question',
  ]);
  assert.doesNotMatch(result.stderr, /connection lost|session_expired|maximum duration/);
  const renewed = result.stderr.split('\n').filter((line) => line.includes('session renewed'));
  assert.ok(renewed.length >= 5, result.stderr);
  assert.match(renewed.at(-1)!, /\(4 items carried over\)/);
  assert.equal(result.stdout.split('\n').filter((line) => line === 'you: first question').length, 1, 'restored items are not printed again');
});
