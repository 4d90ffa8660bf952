import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PocketsphinxBatch } from '../../../src/server/speech/pocketsphinx-batch.js';
import { findPocketsphinx, type PocketsphinxInstall } from '../../../src/server/speech/pocketsphinx-install.js';
import { liveSpeechPids } from '../../../src/server/speech/speech-children.js';
import { killLeftovers, processesWithArguments, stillRunning, type SeenProcess } from '../../helpers/processes.js';
import { skipWithoutPocketsphinx } from '../../helpers/speech-tools.js';
import { waitFor } from '../../helpers/wait-for.js';

/**
 * The recognizer's temp dir is also owned by a cleaner process (see pocketsphinx-batch.ts)
 * that removes it should kaiwa die without cleaning up; these check the cleaner's life
 * while kaiwa lives. test/cli/offline-temp-files.test.ts checks the death.
 */
const skip = skipWithoutPocketsphinx();
const SILENCE = new Int16Array(1600);

let tmp = '';
let previousTmpdir: string | undefined;
let batch: PocketsphinxBatch | undefined;
const seenCleaners: SeenProcess[] = [];

beforeEach(() => {
  // os.tmpdir() reads $TMPDIR at each call: a private one shows only this test's dir and cleaners.
  previousTmpdir = process.env.TMPDIR;
  tmp = mkdtempSync(join(tmpdir(), 'kaiwa-pocketsphinx-dir-test-'));
  process.env.TMPDIR = tmp;
});

afterEach(() => {
  batch?.close();
  batch = undefined;
  if (previousTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = previousTmpdir;
  killLeftovers(seenCleaners.splice(0));
  rmSync(tmp, { recursive: true, force: true });
});

function install(): PocketsphinxInstall {
  const found = findPocketsphinx();
  assert.ok(typeof found !== 'string', found as string);
  return found;
}

function recognizerDir(): string {
  const dirs = readdirSync(tmp);
  assert.equal(dirs.length, 1, `one recognizer dir in ${tmp}: ${dirs.join(', ')}`);
  assert.match(dirs[0]!, /^kaiwa-pocketsphinx-/);
  return join(tmp, dirs[0]!);
}

/** Waits until exactly one cleaner watches `dir`; remembered so afterEach can end it should the test fail. */
async function theCleanerOf(dir: string, what: string): Promise<SeenProcess> {
  const [cleaner] = await waitFor(() => {
    const found = processesWithArguments('kaiwa-pocketsphinx-cleaner', dir);
    return found.length === 1 && found;
  }, { what });
  seenCleaners.push(cleaner!);
  return cleaner!;
}

test('no temp dir before the first recognition; close() removes it at once and lets its cleaner go', { skip }, async () => {
  batch = new PocketsphinxBatch(install());
  assert.deepEqual(readdirSync(tmp), [], 'nothing made before it is needed');
  assert.equal(await batch.recognize(SILENCE), '');
  const dir = recognizerDir();
  const cleaner = await theCleanerOf(dir, 'one cleaner for the dir');
  batch.close();
  assert.equal(existsSync(dir), false, 'removed by close() itself, not later');
  await waitFor(() => !stillRunning(cleaner), { what: 'the dismissed cleaner to exit' });
});

test('a recognizer restarted after its death hands the dir to its own cleaner: one cleaner at a time, the dir kept', { skip }, async () => {
  const others = new Set(liveSpeechPids());
  batch = new PocketsphinxBatch(install());
  assert.equal(await batch.recognize(SILENCE), '');
  const dir = recognizerDir();
  const first = await theCleanerOf(dir, 'the first cleaner');
  const [recognizer] = liveSpeechPids().filter((pid) => !others.has(pid));
  assert.ok(recognizer);
  process.kill(recognizer, 'SIGKILL');
  await waitFor(() => !existsSync(`/proc/${recognizer}`), { what: 'the killed recognizer to be reaped' });
  assert.equal(existsSync(dir), true, 'the dir outlives one recognizer process');

  assert.equal(await batch.recognize(SILENCE), '');
  assert.equal(recognizerDir(), dir, 'the restarted recognizer uses the same dir');
  await waitFor(() => !stillRunning(first), { what: 'the first cleaner, let go, to exit' });
  const second = await theCleanerOf(dir, 'the new wrapper\'s cleaner');
  assert.equal(existsSync(dir), true, 'the let-go cleaner removed nothing');
  batch.close();
  assert.equal(existsSync(dir), false);
  await waitFor(() => !stillRunning(second), { what: 'the second cleaner to exit' });
});
