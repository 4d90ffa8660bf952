import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextOutputFile } from '../../src/cli/text-output-file.js';
import { tempDir } from '../helpers/wav-fixtures.js';

test('--output-text gets the caption without its control sequences, Japanese kept', () => {
  const path = join(tempDir(), 'captions.txt');
  const file = new TextOutputFile(path);
  file.begin();
  file.append('こんにちは\u001b]0;TITLE\u0007\u001b[2J world\u009b1m');
  file.append('\u001b[31m\u001b[0m');
  file.close();
  assert.equal(readFileSync(path, 'utf8'), 'こんにちは world\n');
});

test('--output-text made for a session that never began is removed at close; once begun it stays, even empty', () => {
  const dir = tempDir();
  const never = new TextOutputFile(join(dir, 'never.txt'));
  never.close();
  assert.equal(existsSync(join(dir, 'never.txt')), false);
  const begun = new TextOutputFile(join(dir, 'begun.txt'));
  begun.begin();
  begun.close();
  assert.equal(readFileSync(join(dir, 'begun.txt'), 'utf8'), '');
});
