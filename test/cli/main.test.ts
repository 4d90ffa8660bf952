import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAIWA_BIN, ROOT, assertNoStackTrace, cleanEnv } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/temp-dir.js';

test('an entry point whose program is missing (a broken install) says so in one line and exits 1, with no stack trace', () => {
  const dir = tempDir();
  const entry = join(dir, 'main.cjs');
  copyFileSync(KAIWA_BIN, entry);
  const run = spawnSync(process.execPath, [entry, '--version'], { env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /^kaiwa: cannot start: \S*program\.cjs is missing; reinstall it or run npm run build\n$/);
  assertNoStackTrace(run.stderr);
});

test('the entry point runs by itself, as an installed `kaiwa` does, with the Node flags its first line asks for; npm start passes the same ones', () => {
  const firstLine = readFileSync(KAIWA_BIN, 'utf8').split('\n')[0]!;
  const flags = /^#!\/usr\/bin\/env -S node (.+)$/.exec(firstLine)?.[1];
  assert.ok(flags, `the first line names node and its flags: ${firstLine}`);
  const run = spawnSync(KAIWA_BIN, ['--version'], { env: cleanEnv(), encoding: 'utf8', timeout: 20_000 });
  assert.equal(run.stderr, '', 'node took the flags');
  assert.equal(run.status, 0);
  assert.match(run.stdout, /^\d+\.\d+\.\d+\n$/);
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  assert.equal(start, `node ${flags} dist/cli/main.cjs`);
});
