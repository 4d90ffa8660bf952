import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';

test('a session against the built-in local server is free in the terminal, in transcript.md and in kaiwa replay', async () => {
  const dir = join(tempDir(), 'talk');
  const result = await runKaiwa(['--text', 'hello', '--once', '--no-mic', '--no-speaker', '--record', dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^usage: .* · free \(local server\)$/m);
  const markdown = readFileSync(join(dir, 'transcript.md'), 'utf8');
  assert.match(markdown, /^- Cost: free \(kaiwa's built-in local server\) over 1 response$/m);
  assert.match(markdown, /^_\[\d\d:\d\d\.\d\] Tokens: in \d+ .* · free_$/m);
  assert.doesNotMatch(markdown, /\$\d/);
  const replay = await runKaiwa(['replay', dir, '--no-audio']);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /^\[\d\d:\d\d\.\d\] Tokens: in \d+ .* · free$/m);
  assert.match(replay.stdout, /^Cost: free over 1 response$/m);
  assert.doesNotMatch(replay.stdout, /\$\d/);
});

test('--local with a key set says that --local is why kaiwa is offline', async () => {
  const result = await runKaiwa(['--local', '--text', 'hi', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-offline-free-test-1234' } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^offline \(--local\): kaiwa's local server echoes what you say; it is no model$/m);
  assert.doesNotMatch(result.stderr, /OPENAI_API_KEY/);
});
