import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAIWA_BIN, assertNoStackTrace, cleanEnv } from '../helpers/cli-runner.js';
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
