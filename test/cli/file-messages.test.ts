/** A missing file is named with what is wrong in words, in one line: no errno codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const cases: Array<[string, (dir: string) => string[], RegExp]> = [
  ['config file', (dir) => ['--config', join(dir, 'nope.json')], /^kaiwa: cannot read config file .*nope\.json: no such file or directory$/m],
  ['instructions file', (dir) => ['--instructions-file', join(dir, 'haiku.txt')], /^kaiwa: cannot read --instructions-file .*haiku\.txt: no such file or directory$/m],
  ['tools module', (dir) => ['--tools', join(dir, 'gone.mjs')], /^kaiwa: .*gone\.mjs: cannot read the tools module \(no such file or directory\)$/m],
  ['tools file', (dir) => ['--tools', join(dir, 'gone.json')], /^kaiwa: .*gone\.json: cannot read the tools file \(no such file or directory\)$/m],
];

for (const [what, args, line] of cases) {
  test(`a missing ${what} is one line in words, exit 2`, async () => {
    const result = await runKaiwa([...args(tempDir()), '--no-mic', '--no-speaker', '--text', 'hi', '--once']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, line);
    assert.doesNotMatch(result.stderr, /ENOENT|EACCES/);
    assertNoStackTrace(result.stderr);
  });
}

test('--record under a folder that cannot hold one (/proc) is one line in words, at once, exit 2 (a bad flag, README\'s exit codes)', async () => {
  // Node's own recursive mkdir spins for ever there: the run would be killed at its deadline.
  const result = await runKaiwa(['--record', '/proc/kaiwa-no-such/recording', '--no-mic', '--no-speaker', '--text', 'hi', '--once']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^kaiwa: cannot record to \/proc\/kaiwa-no-such\/recording: no such file or directory$/m);
  assertNoStackTrace(result.stderr);
});
