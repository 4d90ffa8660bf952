import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextOutputFile } from '../../src/cli/text-output-file.js';
import { tempDir } from '../helpers/wav-fixtures.js';

test('--output-text gets the caption without its control sequences, Japanese kept', () => {
  const path = join(tempDir(), 'captions.txt');
  const file = new TextOutputFile(path);
  file.append('こんにちは\u001b]0;TITLE\u0007\u001b[2J world\u009b1m');
  file.append('\u001b[31m\u001b[0m');
  file.close();
  assert.equal(readFileSync(path, 'utf8'), 'こんにちは world\n');
});
