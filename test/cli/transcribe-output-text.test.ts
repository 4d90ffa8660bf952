/**
 * `kaiwa transcribe --output-text FILE` when the session never begins (the server cannot be
 * reached, or refuses the key): nothing is left behind. A file kaiwa made for the captions is
 * removed (an empty one was left), one that was there still holds what it held (the captions
 * are appended to it once a session begins), and a link the user made is left as it was.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';

const dir = tempDir('kaiwa-output-text-');
const KEY = { OPENAI_API_KEY: 'sk-test' };
const input = speechWav(dir, 'hello', 24000, 1, 'hello.wav');
const servers: ScriptedServer[] = [];
after(async () => { for (const server of servers) await server.close(); });

/** Nothing listens on port 1: the connection is refused at once. */
const unreachable = async (): Promise<string> => 'ws://127.0.0.1:1/v1';
const refusingTheKey = async (): Promise<string> => {
  const server = await startScriptedServer({ rejectStatus: 401 });
  servers.push(server);
  return server.url;
};

for (const [why, url] of [['the server cannot be reached', unreachable], ['the server refuses the key', refusingTheKey]] as const) {
  const name = why.replace(/\W+/g, '-');

  test(`--output-text into a new file when ${why}: no empty file is left behind`, async () => {
    const text = join(dir, `new-${name}.txt`);
    const result = await runKaiwa(['transcribe', '--url', await url(), '--input', input, '--output-text', text], { env: KEY });
    assert.equal(result.code, 1, result.stderr);
    assertNoStackTrace(result.stderr);
    assert.equal(existsSync(text), false, 'no empty file left behind');
  });

  test(`--output-text naming a file that was there when ${why}: it still holds what it held`, async () => {
    const text = join(dir, `theirs-${name}.txt`);
    writeFileSync(text, 'yesterday\'s captions\n');
    const result = await runKaiwa(['transcribe', '--url', await url(), '--input', input, '--output-text', text], { env: KEY });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(readFileSync(text, 'utf8'), 'yesterday\'s captions\n');
  });

  test(`--output-text naming a link to a file yet to be made when ${why}: the file made at its target is removed, the link stays`, async () => {
    const target = join(dir, `target-${name}.txt`);
    const text = join(dir, `link-${name}.txt`);
    symlinkSync(target, text);
    const result = await runKaiwa(['transcribe', '--url', await url(), '--input', input, '--output-text', text], { env: KEY });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(existsSync(target), false, 'no empty file left at the link\'s target');
    assert.equal(lstatSync(text).isSymbolicLink(), true);
  });
}
