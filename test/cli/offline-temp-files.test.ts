import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, KAIWA_BIN } from '../helpers/cli-runner.js';
import { descendants, killLeftovers, stillRunning, type SeenProcess } from '../helpers/processes.js';
import { skipWithoutPocketsphinx } from '../helpers/speech-tools.js';
import { waitFor } from '../helpers/wait-for.js';

function recognizerDirs(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('kaiwa-pocketsphinx-'));
}

/**
 * SIGKILL runs no exit handler: the dir is removed by a cleaner process that notices the
 * death (src/server/speech/pocketsphinx-batch.ts). Killing the whole process group, as
 * `kill -9 %1` in a shell does, must not take the cleaner with it.
 */
for (const whom of ['the process', 'its process group'] as const) test(`kaiwa serve killed with SIGKILL (${whom}): the recognizer's temp folder is removed all the same, and no helper process is left`, { skip: skipWithoutPocketsphinx() }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kaiwa-sigkill-temp-'));
  const group = whom === 'its process group';
  // A group of its own to kill: detached makes kaiwa its leader.
  const child = spawn(process.execPath, [KAIWA_BIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), TMPDIR: tmp }, detached: group });
  let helpers: SeenProcess[] = [];
  try {
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    // The listening line comes once the speech parts (the warm recognizer among them) are up.
    await waitFor(() => output.includes('listening on') || child.exitCode !== null, { what: 'kaiwa serve to listen', timeoutMs: 20_000 });
    assert.match(output, /listening on .*transcription: pocketsphinx/, output);
    assert.equal(recognizerDirs(tmp).length, 1, `one recognizer temp folder in ${readdirSync(tmp).join(', ')}`);
    helpers = descendants(child.pid!);
    assert.ok(helpers.length > 0, 'the recognizer runs as a helper process');

    const killed = new Promise((resolve) => child.once('exit', resolve));
    if (group) process.kill(-child.pid!, 'SIGKILL');
    else child.kill('SIGKILL');
    await killed;
    await waitFor(() => recognizerDirs(tmp).length === 0, { what: 'the recognizer temp folder to be removed after SIGKILL', timeoutMs: 5000 })
      .catch((error: Error) => { throw new Error(`${error.message}; left: ${readdirSync(tmp).join(', ')}`); });
    await waitFor(() => !helpers.some(stillRunning), { what: 'the helper processes to end', timeoutMs: 5000 })
      .catch((error: Error) => { throw new Error(`${error.message}; still running: ${helpers.filter(stillRunning).map(({ pid }) => pid).join(', ')}`); });
    assert.deepEqual(readdirSync(tmp), [], 'nothing left in its temp folder');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    killLeftovers(helpers);
    rmSync(tmp, { recursive: true, force: true });
  }
});
