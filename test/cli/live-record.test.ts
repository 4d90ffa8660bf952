import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runKaiwa } from '../helpers/cli-runner.js';
import { speechWav, tempDir, wavData } from '../helpers/wav-fixtures.js';
import { LIVE_CLIENT_EVENTS, eventId, speak, startLivePeer, whenQuestionHeard, type LivePeer } from '../helpers/live-peer.js';
import { liveEventProblems } from '../helpers/live-event-checker.js';

const dir = tempDir();
const peers: LivePeer[] = [];
after(async () => { for (const peer of peers) await peer.close(); });

const KEY = 'sk-test-live-record-0123456789';
type Record_ = { t: number; dir: string; event: { type: string; [key: string]: unknown } };

test('--record on a Live session keeps the Live frames as they crossed (audio as places in the WAV, key nowhere), and kaiwa replay reads them', async () => {
  const question = speechWav(dir, 'How is the weather today?', 24000, 1, 'rec-q.wav');
  const questionPcm = wavData(question);
  const replyPcm = wavData(speechWav(dir, 'Autumn wind, a little cold.', 24000, 1, 'rec-a.wav'));
  const peer = await startLivePeer({
    finalSeconds: 6,
    onEvent: whenQuestionHeard(questionPcm.length, (connection, end) => {
      connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: 'How is the weather?', start_ms: 200, end_ms: end });
      speak(connection, replyPcm, ['Autumn wind, ', 'a little cold.'], end + 300);
      connection.send({ type: 'session.usage.updated', event_id: eventId(), usage: { seconds: 4.5 } });
    }),
  });
  peers.push(peer);
  const record = join(dir, 'live-recording');
  const result = await runKaiwa(
    ['--url', peer.url, '--protocol', 'live', '--input', question, '--once', '--no-speaker', '--record', record],
    { env: { OPENAI_API_KEY: KEY } },
  );
  assert.equal(result.code, 0, result.stderr);
  const connection = peer.connections[0]!;
  const text = readFileSync(join(record, 'events.jsonl'), 'utf8');
  assert.ok(!text.includes(KEY) && !readFileSync(join(record, 'transcript.md'), 'utf8').includes(KEY), 'the key is in no file');
  const records = text.trim().split('\n').map((line) => JSON.parse(line) as Record_);
  assert.deepEqual({ ...records[0]!.event, started_at: '', kaiwa_version: '' }, {
    type: 'kaiwa.recording_started', started_at: '', model: 'gpt-live-1', sample_rate: 24000,
    channels: { left: 'user', right: 'assistant' }, kaiwa_version: '', protocol: 'live', events: 'wire',
  });
  const client = records.filter((record) => record.dir === 'client').map((record) => record.event);
  const server = records.filter((record) => record.dir === 'server').map((record) => record.event);
  assert.deepEqual(client.filter((event) => !LIVE_CLIENT_EVENTS.has(event.type)), [], 'only Live client frames');
  assert.deepEqual(client[0], connection.received[0], 'session.start as the peer got it');
  assert.equal(client.length, connection.received.length, 'every frame kaiwa sent');
  const appends = client.filter((event) => event.type === 'session.input_audio.append');
  const sentBytes = appends.reduce((sum, event) => sum + (event.audio as { bytes: number }).bytes, 0);
  assert.equal(sentBytes, connection.audio.length, 'each append as a placeholder of its size');
  assert.ok(appends.every((event) => typeof (event.audio as { wavOffsetMs: unknown }).wavOffsetMs === 'number'), 'with its place in the WAV');
  const problems = server.flatMap((event) => liveEventProblems(event.type === 'session.output_audio.delta' ? { ...event, delta: 'placeholder' } : event));
  assert.deepEqual(problems, [], 'every server record is a Live server event');
  const deltas = server.filter((event) => event.type === 'session.output_audio.delta');
  assert.equal(deltas.reduce((sum, event) => sum + (event.delta as { bytes: number }).bytes, 0), replyPcm.length);
  assert.ok(deltas.every((event) => typeof (event.delta as { wavOffsetMs: unknown }).wavOffsetMs === 'number'), 'the reply where it was played');
  assert.ok(server.some((event) => event.type === 'session.closed'), 'up to session.closed');
  assert.ok(!records.some((record) => record.event.type.startsWith('response.output_audio') || record.event.type.startsWith('conversation.')), 'none of kaiwa\'s own events');

  const markdown = readFileSync(join(record, 'transcript.md'), 'utf8');
  assert.match(markdown, /How is the weather\?/);
  assert.match(markdown, /Autumn wind, a little cold\./);

  const replay = await runKaiwa(['replay', record, '--no-audio', '--speed', '50']);
  assert.equal(replay.code, 0, replay.stderr);
  const lines = replay.stdout.trim().split('\n');
  assert.match(lines[0]!, /^Replaying .*live-recording: .*, model gpt-live-1, at 50×$/);
  assert.match(lines[1]!, /^\[\d\d:\d\d\.\d\] You: How is the weather\?$/);
  assert.match(lines[2]!, /^\[\d\d:\d\d\.\d\] Assistant: Autumn wind, a little cold\.$/);
  const json = await runKaiwa(['replay', record, '--json']);
  assert.equal(json.stdout, text, '--json prints the frames as recorded');
});
