/**
 * kaiwa's output read through a pipe: a reader that goes away (`kaiwa … | head -1`) ends the
 * session as a Ctrl-C would, and a slow one (`kaiwa … | less`) still gets every byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { assertNoStackTrace, cleanEnv, KAIWA_BIN, ROOT, runKaiwa, untilOutput } from '../helpers/cli-runner.js';
import { eventId, startLivePeer } from '../helpers/live-peer.js';
import { waitFor } from '../helpers/wait-for.js';

const TEXT_FLAGS = ['--no-mic', '--no-speaker', '--modalities', 'text'];

test('a reader that closes kaiwa\'s output after the first line (| head -1) ends the session in one line, no EPIPE, exit 0', async () => {
  const lines = Array.from({ length: 20 }, (_, index) => `question ${index + 1}`);
  const result = await runKaiwa(TEXT_FLAGS, {
    stdin: `${lines.join('\n')}\n`,
    onSpawn: (child) => child.stdout.once('data', () => child.stdout.destroy()),
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /^kaiwa: the program reading its output has closed it; ending the session$/m);
  assert.doesNotMatch(result.stderr, /EPIPE|unexpected error|error outside the conversation/);
  assertNoStackTrace(result.stderr);
  assert.match(result.stderr, /^session ended: /m, 'the summary is still printed');
});

test('a slow reader of kaiwa\'s output gets all of it: what the pipe had not taken at the end is not dropped at exit', async () => {
  // Far more than a pipe holds (64 KiB), so most of it waits in kaiwa when the session ends.
  const words = Array.from({ length: 3 }, (_, index) => `${index}${'x'.repeat(100_000)}`);
  const child = spawn(process.execPath, [KAIWA_BIN, ...TEXT_FLAGS], { env: cleanEnv(), cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.stdout.pause();
  child.stdin.end(`${words.join('\n')}\n`);
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    // The reader takes nothing until kaiwa has said its last line.
    await waitFor(() => stderr.includes('session ended:'), { what: 'the summary', timeoutMs: 30_000 });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stdout.resume();
    assert.equal(await closed, 0, stderr);
    const said = stdout.split('\n').filter((line) => line.startsWith('you: ') || line.startsWith('assistant: '));
    assert.deepEqual(said, words.flatMap((word) => [`you: ${word}`, `assistant: You said: ${word}`]));
  } finally {
    child.kill('SIGKILL');
  }
});

test('| head -1 while the first piped line waits for its answer: that line is reported as sent and not answered, the next as not sent', async () => {
  const result = await runKaiwa(TEXT_FLAGS, {
    stdin: 'first\nsecond\n',
    onSpawn: (child) => child.stdout.once('data', () => child.stdout.destroy()),
  });
  assert.equal(result.code, 0, result.stderr);
  const reports = result.stderr.split('\n').filter((line) => /: "(first|second)"$/.test(line));
  const said = /^session ended: .* · (\d+) turns? · (\d+) responses? · /m.exec(result.stderr);
  assert.ok(said, result.stderr);
  // What the summary counts as turns the server took in is, where it went unanswered, named as such.
  const unanswered = reports.filter((line) => line.startsWith('warn: sent, not answered (the session ended first): ')).length;
  assert.equal(Number(said[1]) - Number(said[2]), unanswered, result.stderr);
  // Usually the reader is gone before the first answer has come; should it have come in full, "second" is the one left.
  if (Number(said[2]) > 0) return;
  assert.deepEqual(reports, [
    'warn: sent, not answered (the session ended first): "first"',
    'warn: not sent (the session ended before its turn): "second"',
  ], result.stderr);
});

test('--protocol live, the reader gone while a reply streams: the reply the end cut off does not answer the line, which is reported as over the Realtime API', async () => {
  // A Live peer that starts answering the typed line and never finishes (a Live reply ends only after 2 s of silence).
  const peer = await startLivePeer({
    onEvent: (connection, event) => {
      if (event.type !== 'session.instructions.append') return;
      connection.send({ type: 'session.instructions.appended', event_id: eventId(), start_ms: 0, end_ms: 0, ...(event.event_id ? { client_event_id: event.event_id } : {}) });
      connection.send({ type: 'session.output_transcript.delta', event_id: eventId(), delta: 'Well', start_ms: 0, end_ms: 100 });
    },
  });
  try {
    const result = await runKaiwa(['--protocol', 'live', '--url', peer.url, '--no-mic', '--no-speaker'], {
      env: { OPENAI_API_KEY: 'sk-test' },
      stdin: 'first\nsecond\n',
      onSpawn: (child, output) => {
        void untilOutput(child, output, 'stdout', (text) => text.includes('assistant: Well'), { what: 'the reply under way', timeoutMs: 15_000 }).then(() => {
          child.stdout.destroy();
          // More of the reply: kaiwa's next write finds its reader gone.
          peer.connections[0]!.send({ type: 'session.output_transcript.delta', event_id: eventId(), delta: ' then', start_ms: 100, end_ms: 200 });
        }, () => child.kill('SIGKILL'));
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assertNoStackTrace(result.stderr);
    assert.match(result.stderr, /^kaiwa: the program reading its output has closed it; ending the session$/m);
    assert.match(result.stderr, /^session ended: .* · 1 turn · 0 responses · /m);
    const reports = result.stderr.split('\n').filter((line) => /: "(first|second)"$/.test(line));
    assert.deepEqual(reports, [
      'warn: sent, not answered (the session ended first): "first"',
      'warn: not sent (the session ended before its turn): "second"',
    ], result.stderr);
  } finally {
    await peer.close();
  }
});
