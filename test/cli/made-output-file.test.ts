import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MadeOutputFile, whereNewFileGoes } from '../../src/cli/made-output-file.js';
import { tempDir } from '../helpers/temp-dir.js';

test('a new file goes at the path, or at the end of a chain of links to nothing; something there is the user\'s', () => {
  const dir = tempDir();
  assert.equal(whereNewFileGoes(join(dir, 'new.txt')), join(dir, 'new.txt'));
  symlinkSync('later.txt', join(dir, 'link.txt'));
  assert.equal(whereNewFileGoes(join(dir, 'link.txt')), join(dir, 'later.txt'));
  writeFileSync(join(dir, 'later.txt'), 'theirs');
  assert.equal(whereNewFileGoes(join(dir, 'link.txt')), undefined);
  assert.equal(whereNewFileGoes(dir), undefined);
});

test('the file kaiwa made is removed; one the user put in its place meanwhile is not', () => {
  const dir = tempDir();
  const path = join(dir, 'out.txt');
  writeFileSync(path, '');
  new MadeOutputFile(path).remove();
  assert.equal(existsSync(path), false);

  writeFileSync(path, '');
  const made = new MadeOutputFile(path);
  writeFileSync(join(dir, 'theirs.txt'), 'theirs');
  renameSync(join(dir, 'theirs.txt'), path);
  made.remove();
  assert.equal(readFileSync(path, 'utf8'), 'theirs');
});
