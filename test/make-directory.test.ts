import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { makeDirectory } from '../src/make-directory.js';
import { ROOT } from './helpers/cli-runner.js';
import { tempDir } from './helpers/wav-fixtures.js';

test('makes a folder and its missing parents, each with the mode asked for', () => {
  const dir = join(tempDir(), 'a', 'b', 'c');
  makeDirectory(dir, 0o700);
  assert.ok(statSync(dir).isDirectory());
  assert.equal(statSync(join(dir, '..')).mode & 0o777, 0o700);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('a folder that exists is left as it is', () => {
  const dir = tempDir();
  makeDirectory(dir, 0o700);
  makeDirectory(dir);
  assert.ok(statSync(dir).isDirectory());
});

test('a file in the way, or a dangling link above, is an error', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'file'), '');
  assert.throws(() => makeDirectory(join(dir, 'file')), /exists and is not a directory/);
  assert.throws(() => makeDirectory(join(dir, 'file', 'below')), { code: 'ENOTDIR' });
  symlinkSync(join(dir, 'gone'), join(dir, 'link'));
  assert.throws(() => makeDirectory(join(dir, 'link', 'below')), { code: 'ENOENT' });
});

test('under a parent that cannot hold folders (/proc) it fails at once instead of spinning', () => {
  // In a child with a deadline: Node's own recursive mkdir loops for ever here, synchronously.
  const script = `import { makeDirectory } from './src/make-directory.ts';
    try { makeDirectory('/proc/kaiwa-no-such/recording'); console.log('made'); } catch (error) { console.log(error.code); }`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.signal, null, 'it did not return within 30 s');
  assert.equal(run.stdout.trim(), 'ENOENT');
});
