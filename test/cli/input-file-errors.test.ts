/**
 * A bad --input file (README, "Exit codes"): one line naming it and what is wrong, exit 2,
 * before anything is connected; the same for `kaiwa` and `kaiwa transcribe`, and for a
 * file and standard input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '../../src/audio/wav.js';
import { assertNoStackTrace, runKaiwa, type KaiwaResult } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const dir = tempDir('kaiwa-input-errors-');
const SAMPLE_RATE_OFFSET = 24;

function wavAtRate(name: string, sampleRate: number): string {
  const wav = encodeWav(new Int16Array(24000), 24000, 1);
  wav.writeUInt32LE(sampleRate, SAMPLE_RATE_OFFSET);
  return file(name, wav);
}

/** What `espeak-ng --stdout … > f.wav` leaves when no audio came: a header with the pipe's placeholder sizes. */
function pipedHeaderOnly(): Buffer {
  const header = encodeWav(new Int16Array(0), 24000, 1);
  header.writeUInt32LE(0xffffffff, 4);
  header.writeUInt32LE(0xffffffff, header.length - 4);
  return header;
}

function file(name: string, contents: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

const badFiles: Array<[string, () => string, RegExp]> = [
  ['empty', () => file('empty.wav', ''), /empty\.wav: the file is empty/],
  ['not a WAV', () => file('text.wav', 'this is not audio at all, just text pretending'), /text\.wav: not a WAV file/],
  ['missing', () => join(dir, 'missing.wav'), /cannot read .*missing\.wav: no such file or directory/],
  ['truncated inside its header', () => file('truncated.wav', encodeWav(new Int16Array(100), 24000, 1).subarray(0, 30)), /truncated\.wav: truncated WAV file/],
  ['of a 1 Hz sample rate (corrupt header)', () => wavAtRate('rate1.wav', 1), /rate1\.wav: invalid WAV file: a sample rate of 1 Hz; kaiwa reads WAV files at 8 000–384 000 Hz$/],
  ['with a header and no audio (an empty data chunk)', () => file('no-audio.wav', encodeWav(new Int16Array(0), 24000, 1)), /no-audio\.wav: it holds no audio \(its data chunk is empty\)$/],
  ['written through a pipe that sent no audio (placeholder sizes, nothing after the header)', () => file('piped-no-audio.wav', pipedHeaderOnly()), /piped-no-audio\.wav: it holds no audio \(its data chunk is empty\)$/],
  ['of a 4 GHz sample rate (corrupt header)', () => wavAtRate('rate4g.wav', 4_000_000_000), /rate4g\.wav: invalid WAV file: a sample rate of 4 000 000 000 Hz; kaiwa reads/],
];

function assertBadInput(result: KaiwaResult, pattern: RegExp): void {
  assertNoStackTrace(result.stderr);
  assert.equal(result.code, 2, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${result.stderr}`);
  assert.match(lines[0]!, /^kaiwa: /);
  assert.match(lines[0]!, pattern);
  assert.equal(result.stdout, '', 'nothing ran');
}

/** A server nobody listens on: the file must be refused before kaiwa tries to connect. */
const NOWHERE = ['--url', 'ws://127.0.0.1:9/v1'];
const KEY = { OPENAI_API_KEY: 'sk-test-bad-input-0000' };

/** Each command's words around `--input X`: the conversation answers once and plays nothing. */
const commands: Array<[string, (input: string) => string[]]> = [
  ['kaiwa', (input) => [...NOWHERE, '--input', input, '--no-speaker', '--once']],
  ['kaiwa transcribe', (input) => ['transcribe', ...NOWHERE, '--input', input]],
];

for (const [name, argsFor] of commands) {
  for (const [what, path, pattern] of badFiles) {
    test(`${name} --input with a file ${what}: one line naming it, exit 2`, async () => {
      assertBadInput(await runKaiwa(argsFor(path()), { env: KEY }), pattern);
    });
  }

  test(`${name} --input - with text piped in: one line naming standard input, exit 2`, async () => {
    assertBadInput(await runKaiwa(argsFor('-'), { env: KEY, stdin: 'hello there\n' }), /^kaiwa: standard input: not a WAV file/);
  });
}

for (const [name, argsFor] of commands) {
  const headersOnly: Array<[string, Buffer]> = [
    ['placeholder sizes, as a pipe writes them', pipedHeaderOnly()],
    ['an empty data chunk', encodeWav(new Int16Array(0), 24000, 1)],
  ];
  for (const [what, header] of headersOnly) {
    test(`${name} --input - with a WAV header and no audio after it piped in (${what}): refused as such a file is, one line, exit 2`, async () => {
      assertBadInput(await runKaiwa(argsFor('-'), { env: KEY, stdin: header }), /^kaiwa: standard input: it holds no audio \(nothing came after its WAV header\)$/);
    });
  }
}
