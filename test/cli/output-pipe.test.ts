/**
 * kaiwa's output read through a pipe: a reader that goes away (`kaiwa … | head -1`) ends the
 * session as a Ctrl-C would, and a slow one (`kaiwa … | less`) still gets every byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { assertNoStackTrace, cleanEnv, KAIWA_BIN, ROOT, runKaiwa } from '../helpers/cli-runner.js';
import { waitFor } from '../helpers/wait-for.js';

const TEXT_FLAGS = ['--no-mic', '--no-speaker', '--modalities', 'text'];

test('a reader that closes kaiwa\'s output after the first line (| head -1) ends the session in one line, no EPIPE, exit 0', async () => {
  const lines = Array.from({ length: 20 }, (_, index) => `question ${index + 1}`);
  const result = await runKaiwa(TEXT_FLAGS, {
    stdin: `${lines.join('\n')}\n`,
    onSpawn: (child) => child.stdout.once('data', () => child.stdout.destroy()),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^kaiwa: the program reading its output has closed it; ending the session$/m);
  assert.doesNotMatch(result.stderr, /EPIPE|unexpected error|error outside the conversation/);
  assertNoStackTrace(result.stderr);
  assert.match(result.stderr, /^session ended: /m, 'the summary is still printed');
});

test('a slow reader of kaiwa\'s output gets all of it: what the pipe had not taken at the end is not dropped at exit', async () => {
  // Far more than a pipe holds (64 KiB), so most of it waits in kaiwa when the session ends.
  const words = Array.from({ length: 3 }, (_, index) => `${index}${'x'.repeat(100_000)}`);
  const child = spawn(process.execPath, [KAIWA_BIN, ...TEXT_FLAGS], { env: cleanEnv(), cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.stdout.pause();
  child.stdin.end(`${words.join('\n')}\n`);
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    // The reader takes nothing until kaiwa has said its last line.
    await waitFor(() => stderr.includes('session ended:'), { what: 'the summary', timeoutMs: 30_000 });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stdout.resume();
    assert.equal(await closed, 0, stderr);
    const said = stdout.split('\n').filter((line) => line.startsWith('you: ') || line.startsWith('assistant: '));
    assert.deepEqual(said, words.flatMap((word) => [`you: ${word}`, `assistant: You said: ${word}`]));
  } finally {
    child.kill('SIGKILL');
  }
});
