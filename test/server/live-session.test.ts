import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server-harness.js';
import { TestClient } from '../helpers/server-client.js';
import { liveEventProblems } from '../helpers/live-event-checker.js';

async function liveClient(): Promise<TestClient> {
  const server = await startTestServer();
  const client = await TestClient.connect(server.url, { path: '/live/sessions' });
  return client;
}

test('kaiwa serve\'s Live session: nothing before session.start, only SessionConfig keys, errors name their event', async () => {
  const client = await liveClient();
  client.send({ type: 'session.input_audio.append', event_id: 'early', audio: 'AAAA' });
  const early = await client.next('error');
  assert.deepEqual([(early.error as { code: string }).code, early.client_event_id], ['session_not_started', 'early']);
  client.send({ type: 'session.start', event_id: 'bad', session: { model: 'gpt-live-1', turn_detection: null } });
  const unknown = await client.next('error');
  assert.deepEqual([(unknown.error as { code: string; param: string }).param, unknown.client_event_id], ['session.turn_detection', 'bad']);
  client.send({ type: 'session.start', event_id: 'rate', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcm', rate: 44100 } } } });
  const rate = (await client.next('error')).error as { code: string; param: string };
  assert.deepEqual([rate.code, rate.param], ['invalid_value', 'session.audio.format.rate'], 'PCM at 16000 or 24000 Hz only');
  client.send({ type: 'session.start', event_id: 'ok', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcmu', rate: 8000 } } } });
  const started = await client.next('session.started');
  assert.equal(started.client_event_id, 'ok');
  client.send({ type: 'session.start', event_id: 'again', session: { model: 'gpt-live-1' } });
  assert.equal(((await client.next('error')).error as { code: string }).code, 'session_already_started');
  client.send({ type: 'session.input_audio.mute', event_id: 'm' });
  assert.equal((await client.next('session.input_audio.muted')).client_event_id, 'm');
  client.send({ type: 'session.thinking.append', event_id: 't', content: 'The user is in Tokyo.', delegation_id: null });
  const appended = await client.next('session.thinking.appended');
  assert.equal(appended.client_event_id, 't');
  client.send({ type: 'response.create', event_id: 'r' });
  assert.equal(((await client.next('error')).error as { code: string }).code, 'unsupported_event');
  client.send({ type: 'session.close', event_id: 'c' });
  const closed = await client.next('session.closed');
  assert.equal(closed.reason, 'close_requested');
  assert.deepEqual(client.events.flatMap((event) => liveEventProblems(event)), []);
  await client.nextMatching(() => false, 'the socket to close', 2000).catch((error: Error) => assert.match(error.message, /socket closed \(1000\)/));
});
