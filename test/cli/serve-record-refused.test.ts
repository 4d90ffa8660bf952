/**
 * `kaiwa serve --record DIR` into a folder it cannot use is refused before listening, in one
 * line, exit 2, as `kaiwa --record` is (README, "Exit codes": an output named on the command
 * line that cannot be written): it used to listen, and then told each session it could not
 * record it. A folder made for a server that then served no session is not left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, KAIWA_BIN, runKaiwa, untilOutput, assertRefusedInOneLine, type KaiwaResult } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { runNodeWithoutFilePrivileges } from '../helpers/without-file-privileges.js';

const dir = tempDir('kaiwa-serve-record-');

/** Runs `kaiwa serve ARGS`; should it start listening, it is stopped at once (SIGTERM) rather than left to serve. */
function serveUntilListening(args: string[]): Promise<KaiwaResult> {
  return runKaiwa(['serve', '--port', '0', ...args], {
    keepStdinOpen: true,
    onSpawn: (child, output) => {
      untilOutput(child, output, 'stdout', (text) => text.includes('listening'), { what: 'the listening line', timeoutMs: 15000 })
        .then(() => child.kill('SIGTERM'), () => undefined);
    },
  });
}


const aFile = (): string => {
  const path = join(dir, 'a-file');
  writeFileSync(path, 'x');
  return path;
};

const cases: Array<[string, () => string, RegExp]> = [
  ['under a file (/etc/passwd/x)', () => '/etc/passwd/x', /^kaiwa: cannot record to \/etc\/passwd\/x: a parent of it is not a directory$/],
  ['onto a file', aFile, /^kaiwa: cannot record to .*a-file: it exists and is not a directory$/],
  ['under /proc', () => '/proc/kaiwa-no-such/cassettes', /^kaiwa: cannot record to \/proc\/kaiwa-no-such\/cassettes: no such file or directory$/],
];

for (const [where, path, line] of cases) {
  test(`kaiwa serve --record ${where}: one line in words, exit 2, never listening`, async () => {
    assertRefusedInOneLine(await serveUntilListening(['--record', path()]), line);
  });
}

test('kaiwa serve --record into a folder it may not write in (read-only, without root\'s overrides): one line, exit 2, never listening', () => {
  const readOnly = join(dir, 'read-only');
  mkdirSync(readOnly);
  chmodSync(readOnly, 0o555);
  const target = join(readOnly, 'cassettes');
  const result = runNodeWithoutFilePrivileges([KAIWA_BIN, 'serve', '--port', '0', '--record', target], { env: cleanEnv(), timeoutMs: 15000 });
  assertRefusedInOneLine({ code: result.status, stdout: result.stdout, stderr: result.stderr }, /^kaiwa: cannot record to .*read-only\/cassettes: permission denied$/);
  assert.equal(existsSync(target), false);
});

test('kaiwa serve --record into a new folder, stopped before any session: the folder made for it is not left behind, empty', async () => {
  const target = join(dir, 'never-used', 'cassettes');
  const result = await serveUntilListening(['--record', target]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /recording each session into/);
  assert.equal(existsSync(join(dir, 'never-used')), false);
});
