/**
 * An output named on the command line that cannot be written (README, "Exit codes": a bad
 * flag) is one line naming it and why, exit 2, before anything connects: `--output` in a
 * folder that is not there, `--record` onto a file or into a read-only folder (under /proc:
 * file-messages.test.ts).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, KAIWA_BIN, runKaiwa, assertRefusedInOneLine } from '../helpers/cli-runner.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { runNodeWithoutFilePrivileges } from '../helpers/without-file-privileges.js';

const dir = tempDir('kaiwa-output-paths-');
const KEY = { OPENAI_API_KEY: 'sk-test' };
const servers: ScriptedServer[] = [];
after(async () => { for (const server of servers) await server.close(); });


const aFile = (): string => {
  const path = join(dir, 'a-file');
  writeFileSync(path, 'x');
  return path;
};

const cases: Array<[string, () => string[], RegExp]> = [
  ['--output in a folder that is not there', () => ['--output', join(dir, 'gone', 'a.wav')], /^kaiwa: cannot write --output .*gone\/a\.wav: no such file or directory$/],
  ['--record onto a file', () => ['--record', aFile()], /^kaiwa: cannot record to .*a-file: it exists and is not a directory$/],
];

for (const [what, args, line] of cases) {
  test(`${what}: one line in words, exit 2, and no connection made`, async () => {
    const server = await startScriptedServer();
    servers.push(server);
    const result = await runKaiwa(['--url', server.url, ...args(), '--no-mic', '--no-speaker', '--text', 'hi', '--once'], { env: KEY });
    assertRefusedInOneLine(result, line);
    assert.equal(server.connections.length, 0, 'refused before connecting');
  });
}

test('--record into a folder kaiwa may not write in (read-only, for a user without root\'s overrides): one line, exit 2', () => {
  const readOnly = join(dir, 'read-only');
  mkdirSync(readOnly);
  chmodSync(readOnly, 0o555);
  const target = join(readOnly, 'today');
  // Nothing listens on port 9: were the folder not refused first, the run would fail to connect (exit 1).
  const result = runNodeWithoutFilePrivileges([KAIWA_BIN, '--url', 'ws://127.0.0.1:9/v1', '--record', target, '--no-mic', '--no-speaker', '--text', 'hi', '--once'], { env: cleanEnv(KEY) });
  assertRefusedInOneLine({ code: result.status, stdout: result.stdout, stderr: result.stderr }, /^kaiwa: cannot record to .*read-only\/today: permission denied$/);
  assert.equal(existsSync(target), false);
});

test('--record into a new folder when the connection then fails: the folder made for it is not left behind, empty', async () => {
  const target = join(dir, 'never-used', 'today');
  const result = await runKaiwa(['--url', 'ws://127.0.0.1:9/v1', '--record', target, '--no-mic', '--no-speaker', '--text', 'hi', '--once'], { env: KEY });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(existsSync(join(dir, 'never-used')), false);
});
