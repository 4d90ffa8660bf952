import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runKaiwa } from '../helpers/cli-runner.js';
import { speechWav, tempDir, wavData } from '../helpers/wav-fixtures.js';
import { eventId, startLivePeer, whenQuestionHeard, type LiveConnection, type LivePeer } from '../helpers/live-peer.js';

const dir = tempDir();
const peers: LivePeer[] = [];
after(async () => { for (const peer of peers) await peer.close(); });

const KEY = 'sk-test-live-voice-turn-0123456789';
const assistantPcm = wavData(speechWav(dir, 'Autumn wind, a little cold, quietly ends.', 24000, 1, 'live-reply.wav'));

function chunksOf(buffer: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) chunks.push(buffer.subarray(at, at + size));
  return chunks;
}

/** Live's answer to a spoken question: timed transcript fragments and id-less audio, then usage; no end event. */
function answer(connection: LiveConnection, questionMs: number): void {
  connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: 'How is the', start_ms: 200, end_ms: 900 });
  connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: ' weather?', start_ms: 900, end_ms: questionMs });
  const words = ['Autumn wind, ', 'a little cold, ', 'quietly ends.'];
  const chunks = chunksOf(assistantPcm, 4800);
  let at = questionMs + 300;
  chunks.forEach((chunk, index) => {
    connection.send({ type: 'session.output_audio.delta', delta: chunk.toString('base64') });
    const word = words[index];
    if (word) connection.send({ type: 'session.output_transcript.delta', event_id: eventId(), delta: word, start_ms: at, end_ms: at + 100 });
    at += 100;
  });
  connection.send({ type: 'session.usage.updated', event_id: eventId(), usage: { seconds: 4.5 } });
}

test('kaiwa --protocol live holds a voice turn against a Live peer: reply audio byte-exact, both transcripts, usage, key unseen', async () => {
  const question = speechWav(dir, 'How is the weather today?', 24000, 1, 'live-q.wav');
  const questionPcm = wavData(question);
  const peer = await startLivePeer({ finalSeconds: 6, onEvent: whenQuestionHeard(questionPcm.length, answer) });
  peers.push(peer);
  const output = join(dir, 'live-a.wav');
  const result = await runKaiwa(
    ['--url', peer.url, '--protocol', 'live', '--input', question, '--output', output, '--once', '--no-speaker', '--voice', 'marin', '--instructions', 'Be brief.'],
    { env: { OPENAI_API_KEY: KEY } },
  );
  assert.equal(result.code, 0, result.stderr);
  const connection = peer.connections[0]!;
  assert.equal(connection.path, '/v1/live/sessions');
  assert.equal(connection.headers.authorization, `Bearer ${KEY}`);
  const [start, ...rest] = connection.received;
  assert.deepEqual(start, {
    type: 'session.start', event_id: (start as { event_id: string }).event_id,
    session: { model: 'gpt-live-1', instructions: 'Be brief.', audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'marin' } } },
  });
  const types = new Set(rest.map((event) => event.type));
  assert.deepEqual([...types].sort(), ['session.close', 'session.input_audio.append'], 'nothing but audio and the close after session.start');
  assert.deepEqual(connection.audio.subarray(0, questionPcm.length), questionPcm, 'the file went out unchanged');
  assert.deepEqual(wavData(output), assistantPcm, 'the reply audio, byte for byte');
  assert.match(result.stdout, /^you: How is the weather\?$/m);
  assert.match(result.stdout, /^assistant: Autumn wind, a little cold, quietly ends\.$/m);
  assert.match(result.stderr, /usage: 6\.0 s of session time at \$0\.05\/min \(https:\/\/developers\.openai\.com\/api\/docs\/models\/gpt-live-1\.md, 2026-11-30\) · \$0\.0050/);
  assert.match(result.stderr, /session ended: .*\$0\.0050/);
  assert.ok(!result.stdout.includes(KEY) && !result.stderr.includes(KEY), 'the key is never printed');
});

test('--audio-format pcm16-16k: Live gets PCM at 16 kHz both ways, the file goes out unchanged and the reply is written at 16 kHz byte for byte', async () => {
  const question = speechWav(dir, 'How is the weather today?', 16000, 1, 'live-q16.wav');
  const questionPcm = wavData(question);
  const replyPcm = wavData(speechWav(dir, 'Autumn wind, a little cold.', 16000, 1, 'live-reply16.wav'));
  const peer = await startLivePeer({
    finalSeconds: 4,
    onEvent: whenQuestionHeard(questionPcm.length, (connection, end) => {
      connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: 'How is the weather?', start_ms: 100, end_ms: end });
      for (const chunk of chunksOf(replyPcm, 3200)) connection.send({ type: 'session.output_audio.delta', delta: chunk.toString('base64') });
      connection.send({ type: 'session.output_transcript.delta', event_id: eventId(), delta: 'Autumn wind, a little cold.', start_ms: end + 100, end_ms: end + 200 });
    }, 32),
  });
  peers.push(peer);
  const output = join(dir, 'live-a16.wav');
  const result = await runKaiwa(
    ['--url', peer.url, '--protocol', 'live', '--audio-format', 'pcm16-16k', '--input', question, '--output', output, '--once', '--no-speaker'],
    { env: { OPENAI_API_KEY: KEY } },
  );
  assert.equal(result.code, 0, result.stderr);
  const connection = peer.connections[0]!;
  const start = connection.received[0] as { session: { audio: unknown } };
  assert.deepEqual(start.session.audio, { format: { type: 'audio/pcm', rate: 16000 } });
  assert.deepEqual(connection.audio.subarray(0, questionPcm.length), questionPcm, 'the 16 kHz file went out unchanged');
  assert.equal(readFileSync(output).readUInt32LE(24), 16000, 'the reply is written at 16 kHz');
  assert.deepEqual(wavData(output), replyPcm, 'byte for byte');
  assert.match(result.stdout, /^assistant: Autumn wind, a little cold\.$/m);
});

test('--audio-format pcm16-16k is GPT-Live\'s: refused in one line for the Realtime API', async () => {
  const result = await runKaiwa(['--url', 'ws://127.0.0.1:9/v1', '--audio-format', 'pcm16-16k', '--text', 'hi', '--once'], { env: { OPENAI_API_KEY: KEY } });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /--audio-format pcm16-16k is GPT-Live's \(--protocol live\): the Realtime API takes PCM16 at 24 kHz only/);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
});
