import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { skipWithoutEspeak, skipWithoutPocketsphinx } from '../../helpers/speech-tools.js';
import { waitFor } from '../../helpers/wait-for.js';

const run = promisify(execFile);
const FIXTURE = fileURLToPath(new URL('./fixtures/exit-mid-speech.ts', import.meta.url));

/** Gone, or a zombie waiting for init to reap it: either way no longer running. */
function isRunning(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

test('espeak-ng and pocketsphinx die with the server process', { skip: skipWithoutEspeak() || skipWithoutPocketsphinx() }, async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE], { timeout: 20000 });
  const report = JSON.parse(stdout.trim()) as { pids: number[]; transcriber: boolean };
  assert.equal(report.transcriber, true);
  assert.equal(report.pids.length, 2, 'a warm pocketsphinx_batch and a running espeak-ng');
  await waitFor(() => !report.pids.some(isRunning), { what: 'the speech children to die', timeoutMs: 2000 }).catch(() => undefined);
  assert.deepEqual(report.pids.filter(isRunning), []);
});
