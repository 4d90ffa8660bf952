/**
 * `kaiwa serve --replay DIR` refuses a damaged cassette before listening (one line naming
 * the file and what is wrong, exit 2), and replays, with a warning, one whose recorder was
 * killed while writing its last line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKaiwa, untilOutput, type KaiwaResult } from '../../helpers/cli-runner.js';
import { serve } from '../../helpers/serve-run.js';
import { TestClient } from '../../helpers/server-client.js';
import { tempDir } from '../../helpers/wav-fixtures.js';

/** A cassette of one session: a typed turn answered in voice. Returns DIR; the session is DIR/session-1. */
async function cassette(): Promise<string> {
  const dir = join(tempDir(), 'cas');
  const recording = await serve({ record: dir });
  const client = await TestClient.connect(recording.server.url);
  await client.next('session.created');
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello there' }] } });
  client.send({ type: 'response.create' });
  await client.next('response.done');
  client.close();
  assert.equal(await recording.stop(), 0);
  return dir;
}

/** The built `kaiwa serve --replay DIR`; stopped with SIGTERM once it listens (a refusal never gets there). */
function replay(dir: string): Promise<KaiwaResult> {
  return runKaiwa(['serve', '--port', '0', '--replay', dir], {
    keepStdinOpen: true,
    onSpawn: (child, output) => {
      untilOutput(child, output, 'stdout', (text) => text.includes('listening on'), { what: 'the listening line' })
        .then(() => child.kill('SIGTERM'), () => undefined);
    },
  });
}

function assertRefused(result: KaiwaResult, line: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.doesNotMatch(result.stdout, /listening/);
  assert.match(result.stderr.trim(), line);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
}

function eventsOf(dir: string): string {
  return join(dir, 'session-1', 'events.jsonl');
}

function lineCount(path: string): number {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '').length;
}

test('a line that is not JSON after the recording is refused, naming the file and its line', async () => {
  const dir = await cassette();
  const events = eventsOf(dir);
  const bad = lineCount(events) + 1;
  appendFileSync(events, '{not json\n');
  assertRefused(await replay(dir), new RegExp(`^kaiwa: cannot replay .*session-1/events\\.jsonl: line ${bad} is not JSON`));
});

test('lines that are JSON but not event records ([1,2], null, {"type":"x"}) are refused with their line number', async () => {
  for (const line of ['[1,2]', 'null', '{"type":"x"}']) {
    const dir = await cassette();
    const events = eventsOf(dir);
    const lines = readFileSync(events, 'utf8').split('\n');
    lines.splice(2, 0, line);
    writeFileSync(events, lines.join('\n'));
    assertRefused(await replay(dir), /^kaiwa: cannot replay .*events\.jsonl: line 3 is not an event record/);
  }
});

test('an empty events.jsonl, or one holding only a non-record, is refused', async () => {
  const dir = await cassette();
  writeFileSync(eventsOf(dir), '');
  assertRefused(await replay(dir), /^kaiwa: cannot replay .*events\.jsonl: it holds no events of a session \(it is empty\)$/);
  writeFileSync(eventsOf(dir), '{"type":"x"}\n');
  assertRefused(await replay(dir), /^kaiwa: cannot replay .*events\.jsonl: line 1 is not an event record/);
});

test('a conversation.wav cut to 100 bytes is refused', async () => {
  const dir = await cassette();
  truncateSync(join(dir, 'session-1', 'conversation.wav'), 100);
  assertRefused(await replay(dir), /^kaiwa: cannot replay .*session-1\/conversation\.wav: it holds \d+ ms of audio, the recording wrote \d+ ms \(the file was cut short\)$/);
});

test('a cassette missing a session in the middle (session-1, session-3) is refused', async () => {
  const dir = await cassette();
  mkdirSync(join(dir, 'session-3'));
  copyFileSync(eventsOf(dir), join(dir, 'session-3', 'events.jsonl'));
  assertRefused(await replay(dir), /^kaiwa: cannot replay .*cas: it has session-3 but no session-2$/);
});

test('events.jsonl cut off mid-line (a killed recorder) replays its whole lines with a one-line warning', async () => {
  const dir = await cassette();
  const events = eventsOf(dir);
  truncateSync(events, 3000);
  const torn = readFileSync(events, 'utf8').split('\n').length;
  const result = await replay(dir);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /listening on .*replaying/);
  const warnings = result.stderr.split('\n').filter((line) => line.includes('events.jsonl'));
  assert.deepEqual(warnings.map((line) => line.replace(/^.*session-1\//, '')), [
    `events.jsonl: its last line (${torn}) was cut off, as when the recording server is killed; replaying the lines before it`,
  ]);
});
