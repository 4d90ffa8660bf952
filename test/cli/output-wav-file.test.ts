/**
 * `--output FILE.wav` is opened before connecting (a path it cannot be written at is a bad
 * flag), but a session that never begins leaves nothing behind: a file kaiwa made for it is
 * removed, as a `--record` folder is, and a file that was there before kaiwa ran is never
 * touched until the session begins (then the answer replaces it, as it always did).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertNoStackTrace, assertRefusedInOneLine, cleanEnv, KAIWA_BIN, runKaiwa } from '../helpers/cli-runner.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { answering } from '../helpers/own-response.js';
import { speechWav, tempDir, wavData } from '../helpers/wav-fixtures.js';
import { runNodeWithoutFilePrivileges } from '../helpers/without-file-privileges.js';

const dir = tempDir('kaiwa-output-wav-');
const KEY = { OPENAI_API_KEY: 'sk-test' };
/** Nothing listens on port 9: the connection fails at once. */
const NOWHERE = 'ws://127.0.0.1:9/v1';
const servers: ScriptedServer[] = [];
after(async () => { for (const server of servers) await server.close(); });

/** The bytes a user already had in the file --output names. */
const theirs = Buffer.from('RIFF: last week\'s answer, which the user kept');

const aWavHeaderOnly = (): Buffer => {
  const wav = readFileSync(speechWav(dir, 'hi', 24000, 1, 'header-source.wav'));
  const header = Buffer.from(wav.subarray(0, 44));
  header.writeUInt32LE(36, 4);
  header.writeUInt32LE(0, 40);
  return header;
};

const neverBegins: Array<[string, string[], () => Buffer | undefined, number]> = [
  ['the connection fails', ['--url', NOWHERE, '--no-mic', '--text', 'hi', '--once'], () => undefined, 1],
  ['--input - is not a WAV', ['--url', NOWHERE, '--input', '-', '--once'], () => Buffer.from('not a wav at all, just text\n'), 2],
  ['--input - holds a header and no audio', ['--url', NOWHERE, '--input', '-', '--once'], aWavHeaderOnly, 2],
];

for (const [why, args, stdin, code] of neverBegins) {
  test(`--output into a new file when ${why}: the file kaiwa made is not left behind, empty`, async () => {
    const output = join(dir, `new-${code}-${why.replace(/\W+/g, '-')}.wav`);
    const input = stdin();
    const result = await runKaiwa([...args, '--output', output, '--no-speaker'], { env: KEY, ...(input ? { stdin: input } : {}) });
    assert.equal(result.code, code, result.stderr);
    assertNoStackTrace(result.stderr);
    assert.equal(existsSync(output), false, 'no empty WAV left behind');
  });

  test(`--output naming a file that was there when ${why}: the user's file is left as it was`, async () => {
    const output = join(dir, `theirs-${code}-${why.replace(/\W+/g, '-')}.wav`);
    writeFileSync(output, theirs);
    const input = stdin();
    const result = await runKaiwa([...args, '--output', output, '--no-speaker'], { env: KEY, ...(input ? { stdin: input } : {}) });
    assert.equal(result.code, code, result.stderr);
    assert.deepEqual(readFileSync(output), theirs, 'not truncated, not removed');
  });
}

test('--output naming a link to a file yet to be made, when the connection fails: the file made at its target is removed, the link is left as it was', async () => {
  const targets = join(dir, 'link-targets');
  mkdirSync(targets, { recursive: true });
  const output = join(dir, 'dangling.wav');
  const further = join(dir, 'dangling-further.wav');
  // A link to a link to nothing, the last one relative: the file is made at the end of the chain.
  symlinkSync(join('link-targets', 'answer.wav'), further);
  symlinkSync(further, output);
  const result = await runKaiwa(['--url', NOWHERE, '--no-mic', '--no-speaker', '--text', 'hi', '--once', '--output', output], { env: KEY });
  assert.equal(result.code, 1, result.stderr);
  assertNoStackTrace(result.stderr);
  assert.equal(existsSync(join(targets, 'answer.wav')), false, 'no empty WAV left at the link\'s target');
  assert.equal(lstatSync(output).isSymbolicLink(), true, 'the user\'s link is still there');
  assert.equal(readlinkSync(output), further);
  assert.equal(readlinkSync(further), join('link-targets', 'answer.wav'));
});

test('--output naming a link to a file yet to be made, and the session begins: the answer is written at its target', async () => {
  const reply = wavData(speechWav(dir, 'Hello there.', 24000, 1, 'reply-link.wav'));
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      for (const event_ of answering(event, gaVoiceTurn({ assistantTranscript: 'Hello there.', audioChunks: [reply] }))) connection.send(event_);
    },
  });
  servers.push(server);
  const target = join(dir, 'link-target-begun.wav');
  const output = join(dir, 'dangling-begun.wav');
  symlinkSync(target, output);
  const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker', '--text', 'hi', '--once', '--output', output], { env: KEY });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(wavData(target), reply);
  assert.equal(lstatSync(output).isSymbolicLink(), true);
});

test('--output naming a link in a loop: refused before connecting, in one line, exit 2', async () => {
  const output = join(dir, 'loop-a.wav');
  symlinkSync(join(dir, 'loop-b.wav'), output);
  symlinkSync(output, join(dir, 'loop-b.wav'));
  const result = await runKaiwa(['--url', NOWHERE, '--no-mic', '--no-speaker', '--text', 'hi', '--once', '--output', output], { env: KEY });
  assertRefusedInOneLine(result, /^kaiwa: cannot write --output .*loop-a\.wav: too many symbolic links/);
});

test('--output naming a file that was there, and the session begins: the answer replaces it, as before', async () => {
  const reply = wavData(speechWav(dir, 'Hello there.', 24000, 1, 'reply.wav'));
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      for (const event_ of answering(event, gaVoiceTurn({ assistantTranscript: 'Hello there.', audioChunks: [reply] }))) connection.send(event_);
    },
  });
  servers.push(server);
  const output = join(dir, 'replaced.wav');
  writeFileSync(output, theirs);
  const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker', '--text', 'hi', '--once', '--output', output], { env: KEY });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(wavData(output), reply);
});

test('--output under a file (/etc/passwd/x.wav): refused before connecting, in one line, exit 2', async () => {
  const result = await runKaiwa(['--url', NOWHERE, '--no-mic', '--no-speaker', '--text', 'hi', '--once', '--output', '/etc/passwd/x.wav'], { env: KEY });
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(result.stderr.trim().split('\n'), ['kaiwa: cannot write --output /etc/passwd/x.wav: a parent of it is not a directory']);
});

test('--output naming a folder: still refused before connecting, in one line, exit 2', async () => {
  const result = await runKaiwa(['--url', NOWHERE, '--no-mic', '--no-speaker', '--text', 'hi', '--once', '--output', dir], { env: KEY });
  assert.equal(result.code, 2, result.stderr);
  assert.deepEqual(result.stderr.trim().split('\n'), [`kaiwa: cannot write --output ${dir}: it is a directory`]);
});

test('--output naming a file there that kaiwa may not write (read-only, without root\'s overrides): refused before connecting, exit 2, left as it was', () => {
  const readOnly = join(dir, 'read-only.wav');
  writeFileSync(readOnly, theirs);
  chmodSync(readOnly, 0o444);
  const result = runNodeWithoutFilePrivileges([KAIWA_BIN, '--url', NOWHERE, '--no-mic', '--no-speaker', '--text', 'hi', '--once', '--output', readOnly], { env: cleanEnv(KEY), timeoutMs: 15000 });
  assert.equal(result.status, 2, result.stderr);
  assert.deepEqual(result.stderr.trim().split('\n'), [`kaiwa: cannot write --output ${readOnly}: permission denied`]);
  assert.deepEqual(readFileSync(readOnly), theirs);
});
