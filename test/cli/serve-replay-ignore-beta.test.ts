/**
 * `kaiwa serve --replay-ignore` with a client of the article's beta dialect (`kaiwa --protocol
 * beta`): the cassette holds the client's events in the GA shape, so the paths are the GA ones
 * the difference lines print (`session.instructions`, `session.audio.output.voice`), whatever
 * names went over the wire. A beta name for a field the cassette holds elsewhere is refused
 * before listening, pointing to the GA path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertRefusedInOneLine, runKaiwa } from '../helpers/cli-runner.js';
import { serve } from '../helpers/serve-run.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const KEY = 'sk-test-beta-0000';

/** The article's client in the beta dialect, one typed turn, with today's date in its instructions. */
async function betaTurn(url: string, today: string): Promise<void> {
  const result = await runKaiwa([
    '--url', url, '--protocol', 'beta', '--voice', 'echo', '--instructions', `Today is ${today}. Answer briefly.`,
    '--text', 'hi there', '--once', '--no-mic', '--no-speaker',
  ], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(result.code, 0, result.stderr);
}

async function recordedOnMonday(): Promise<string> {
  const dir = join(tempDir(), 'cas');
  const recording = await serve({ record: dir });
  await betaTurn(recording.server.url, 'Monday, December 7');
  assert.equal(await recording.stop(), 0);
  return join(dir, 'session-1');
}

/** A replay of `dir` with --fail-on-mistakes, one beta turn on Tuesday against it: its exit code and its connection's line. */
async function replayOnTuesday(dir: string, replayIgnore?: string[]): Promise<{ code: number; line: string }> {
  const replay = await serve({ replay: dir, failOnMistakes: true, ...(replayIgnore ? { replayIgnore } : {}) });
  await betaTurn(replay.server.url, 'Tuesday, December 8');
  const line = await replay.logLine(/^replay: session /);
  return { code: await replay.stop(), line };
}

test('a beta client whose instructions hold the date strays; --replay-ignore session.instructions (the GA path) passes it', async () => {
  const dir = await recordedOnMonday();
  const strict = await replayOnTuesday(dir);
  assert.equal(strict.code, 1, strict.line);
  assert.match(strict.line, /first difference: step 1 session\.update: session\.instructions: expected "Today is Monday, December 7\. Answer briefly\.", got "Today is Tuesday, December 8\. Answer briefly\."/);

  const ignoring = await replayOnTuesday(dir, ['session.instructions']);
  assert.equal(ignoring.code, 0, ignoring.line);
  assert.match(ignoring.line, /: all \d+ steps as recorded; ignored differences: session\.instructions \(1 step\)$/);
});

test('a beta name for a field the cassette keeps in the GA shape is refused, naming the GA path', async () => {
  const dir = await recordedOnMonday();
  assertRefusedInOneLine(
    await runKaiwa(['serve', '--port', '0', '--replay', dir, '--replay-ignore', 'session.voice']),
    /^kaiwa: --replay-ignore: session\.voice matches no field of the cassette's client events \(did you mean session\.audio\.output\.voice\?\)$/,
  );
});
