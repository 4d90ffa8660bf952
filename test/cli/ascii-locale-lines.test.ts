/**
 * kaiwa's own lines (notices, usage, tool lines, the summary, errors, replay's lines) in a
 * locale that is not UTF-8: its own symbols are ASCII there, what the user typed (and the
 * tool and the model gave back from it) is written as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const C_LOCALE = { LANG: 'C', LC_ALL: undefined, LC_CTYPE: undefined };
const offline = ['--local', '--no-mic', '--no-speaker', '--tools', join(ROOT, 'examples', 'weather-tools.mjs')];
/** The user's own words: every symbol kaiwa puts in its lines, and a letter outside ASCII. */
const WORDS = 'Café · Noir → ×…';
const TYPED = `café\ncall get_weather {"city": "${WORDS}"}\n`;

/** `text` without the user's words: what is left is kaiwa's own. */
const ownPart = (text: string): string => text.replaceAll(WORDS, '').replaceAll('café', '');
const NOT_ASCII = /[^\x00-\x7f]/;

test('in the C locale every line kaiwa writes to stderr is ASCII but for the user\'s words, which are written as typed', async () => {
  const result = await runKaiwa(offline, { env: C_LOCALE, stdin: TYPED });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^you: café$/m);
  assert.match(result.stderr, /^usage: in \d+ .* \| out \d+ .* \| free \(local server\)$/m);
  assert.match(result.stderr, new RegExp(`^tool get_weather \\{"city":"${escape(WORDS)}"\\}$`, 'm'));
  // The tool's output is cut by kaiwa: the cut is marked with ASCII, the user's words in it are kept.
  assert.match(result.stderr, new RegExp(`^tool get_weather -> error in \\d+ ms: \\{"error":"no weather data for ${escape(WORDS)} .*\\.\\.\\.$`, 'm'));
  assert.match(result.stderr, /^session ended: \d+ s \| 2 turns \| /m);
  assert.doesNotMatch(ownPart(result.stderr), NOT_ASCII, result.stderr);
});

test('with LC_ALL=C.UTF-8 (over LANG=C) kaiwa\'s lines keep their symbols', async () => {
  const result = await runKaiwa(offline, { env: { LANG: 'C', LC_ALL: 'C.UTF-8' }, stdin: TYPED });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^usage: in \d+ .* · out \d+ .* · free \(local server\)$/m);
  assert.match(result.stderr, /^tool get_weather → error in \d+ ms: .*…$/m);
  assert.match(result.stderr, /^session ended: \d+ s · 2 turns · /m);
});

test('in the C locale an error about the user\'s value says it as given, kaiwa\'s own words in ASCII', async () => {
  const result = await runKaiwa(['--voice', 'café…', '--no-mic', '--no-speaker'], { env: C_LOCALE });
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /unknown voice "café…": .*\(voice_\.\.\.\)$/m);
  assert.doesNotMatch(result.stderr.replaceAll('café…', ''), NOT_ASCII, result.stderr);
});

test('in the C locale kaiwa replay\'s lines are ASCII, and transcript.md, a file, keeps its symbols', async () => {
  const dir = join(tempDir(), 'talk');
  const recorded = await runKaiwa(['--local', '--no-mic', '--no-speaker', '--text', 'café', '--once', '--record', dir], { env: C_LOCALE });
  assert.equal(recorded.code, 0, recorded.stderr);
  assert.match(readFileSync(join(dir, 'transcript.md'), 'utf8'), /^_\[\d\d:\d\d\.\d\] Tokens: in \d+ .* · free_$/m);
  const replay = await runKaiwa(['replay', dir, '--no-audio', '--speed', '100'], { env: C_LOCALE });
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /^Replaying .*, at 100x$/m);
  assert.match(replay.stdout, /^\[\d\d:\d\d\.\d\] You: café$/m);
  assert.match(replay.stdout, /^\[\d\d:\d\d\.\d\] Tokens: in \d+ .* \| free$/m);
  assert.doesNotMatch(ownPart(replay.stdout), NOT_ASCII, replay.stdout);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
