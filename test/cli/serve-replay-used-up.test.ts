/**
 * `kaiwa serve --replay DIR --fail-on-mistakes`: a cassette whose sessions were not all
 * replayed fails the run, and the shutdown line names the sessions no connection used.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runKaiwa, untilOutput } from '../helpers/cli-runner.js';
import { serve } from '../helpers/serve-run.js';
import { TestClient } from '../helpers/server-client.js';
import { tempDir } from '../helpers/wav-fixtures.js';

/** One typed turn, answered; the same on the recording and on the replay. */
async function typedTurn(url: string): Promise<void> {
  const client = await TestClient.connect(url);
  await client.next('session.created');
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] } });
  client.send({ type: 'response.create' });
  await client.next('response.done');
  client.close();
}

/** A cassette of two sessions (session-1, session-2), each one typed turn. */
async function twoSessionCassette(): Promise<string> {
  const dir = join(tempDir(), 'cas');
  const recording = await serve({ record: dir });
  await typedTurn(recording.server.url);
  await typedTurn(recording.server.url);
  assert.equal(await recording.stop(), 0);
  return dir;
}

/** Runs the built `kaiwa serve --replay`, makes `connections` turns against it, then SIGTERM. */
async function replayRun(dir: string, connections: number, failOnMistakes: boolean) {
  return runKaiwa(['serve', '--port', '0', '--replay', dir, ...(failOnMistakes ? ['--fail-on-mistakes'] : [])], {
    keepStdinOpen: true,
    onSpawn: (child, output) => {
      void (async () => {
        await untilOutput(child, output, 'stdout', (text) => /listening on \S+/.test(text), { what: 'the listening line' });
        const url = /listening on (\S+)/.exec(output.stdout())![1]!;
        for (let n = 1; n <= connections; n++) {
          await typedTurn(url);
          await untilOutput(child, output, 'stderr', (text) => (text.match(/^replay: session /gm) ?? []).length >= n, { what: `replay line ${n}` });
        }
        child.kill('SIGTERM');
      })().catch(() => child.kill('SIGKILL'));
    },
  });
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)!;
}

test('--fail-on-mistakes: no connection to a two-session cassette fails the run, naming both sessions', async () => {
  const result = await replayRun(await twoSessionCassette(), 0, true);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(lastLine(result.stderr), 'replay: 0 sessions, 0 strayed from the cassette; never used: session-1, session-2');
});

test('--fail-on-mistakes: one of two sessions replayed fails the run, naming the unused session-2; both replayed pass', async () => {
  const dir = await twoSessionCassette();
  const half = await replayRun(dir, 1, true);
  assert.equal(half.code, 1, half.stderr);
  assert.match(half.stderr, /^replay: session sess_\w+: all 2 steps as recorded$/m);
  assert.equal(lastLine(half.stderr), 'replay: 1 session, 0 strayed from the cassette; never used: session-2');
  const whole = await replayRun(dir, 2, true);
  assert.equal(whole.code, 0, whole.stderr);
  assert.equal(lastLine(whole.stderr), 'replay: 2 sessions, 0 strayed from the cassette');
});

test('without --fail-on-mistakes an unused session is reported and the exit stays 0', async () => {
  const result = await replayRun(await twoSessionCassette(), 1, false);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(lastLine(result.stderr), 'replay: 1 session, 0 strayed from the cassette; never used: session-2');
});
