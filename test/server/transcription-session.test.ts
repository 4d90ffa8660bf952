/**
 * Transcription sessions on kaiwa serve: opened with the SDK's `?intent=transcription` or
 * switched to with `session.update` `type: "transcription"`. Turns are committed and
 * transcribed; no response is ever created, and asking for one is an error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { connectClient, startTestServer, types } from '../helpers/server-harness.js';
import { silence, tone } from '../helpers/server-speech.js';
import type { Json } from '../helpers/server-client.js';

const TRANSCRIBE = { type: 'transcription', audio: { input: { transcription: { model: 'gpt-live-transcribe', language: 'en' }, turn_detection: { type: 'server_vad', silence_duration_ms: 300 } } } };

function append(pcm: Buffer): Record<string, unknown> {
  return { type: 'input_audio_buffer.append', audio: pcm.toString('base64') };
}

test('?intent=transcription: session.created is a transcription session, a VAD turn is transcribed and never answered', async () => {
  const server = await startTestServer();
  const { client, session } = await connectClient(server, { path: '/realtime?intent=transcription' });
  assert.equal(session.type, 'transcription');
  assert.equal(session.object, 'realtime.transcription_session');
  assert.deepEqual(Object.keys(session).sort(), ['audio', 'expires_at', 'id', 'include', 'object', 'type']);
  assert.deepEqual(Object.keys(session.audio as Json), ['input']);
  client.send({ type: 'session.update', session: TRANSCRIBE });
  const updated = (await client.next('session.updated')).session as Json;
  assert.equal(updated.type, 'transcription');
  assert.deepEqual(((updated.audio as Json).input as Json).transcription, { model: 'gpt-live-transcribe', language: 'en' });
  client.send(append(Buffer.concat([silence(200), tone(600), silence(500)])));
  const committed = await client.next('input_audio_buffer.committed');
  const completed = await client.next('conversation.item.input_audio_transcription.completed');
  assert.equal(completed.item_id, committed.item_id);
  assert.equal(completed.transcript, 'hello from the test');
  client.send({ type: 'response.create', event_id: 'evt_no_responses' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.code, 'unsupported_event');
  assert.equal(error.event_id, 'evt_no_responses');
  const seen = types(client.events);
  assert.ok(!seen.some((type) => type.startsWith('response.')), seen.join(', '));
  assert.deepEqual(
    seen.filter((type) => type !== 'error'),
    ['session.created', 'session.updated', 'input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped',
      'input_audio_buffer.committed', 'conversation.item.added', 'conversation.item.done',
      'conversation.item.input_audio_transcription.delta', 'conversation.item.input_audio_transcription.completed'],
  );
});

test('a transcription session refuses realtime-only fields, and cannot turn back into a realtime one', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server, { path: '/realtime?intent=transcription' });
  for (const session of [{ type: 'transcription', model: 'gpt-realtime' }, { type: 'transcription', instructions: 'x' },
    { type: 'transcription', audio: { output: { voice: 'marin' } } }]) {
    client.send({ type: 'session.update', session });
    assert.equal(((await client.next('error')).error as Json).code, 'unknown_parameter', JSON.stringify(session));
  }
  client.send({ type: 'session.update', session: { type: 'realtime', instructions: 'now talk' } });
  assert.equal(((await client.next('error')).error as Json).param, 'session.type');
});

test('session.update with type "transcription" turns a realtime connection into a transcription session', async () => {
  const server = await startTestServer();
  const { client, session } = await connectClient(server);
  assert.equal(session.type, 'realtime');
  client.send({ type: 'session.update', session: TRANSCRIBE });
  assert.equal(((await client.next('session.updated')).session as Json).type, 'transcription');
  client.send(append(Buffer.concat([tone(600), silence(500)])));
  await client.next('conversation.item.input_audio_transcription.completed');
  assert.ok(!types(client.events).some((type) => type.startsWith('response.')));
});

test('an empty final commit is answered with input_audio_buffer_commit_empty, naming the commit', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server, { path: '/realtime?intent=transcription' });
  client.send({ type: 'session.update', session: TRANSCRIBE });
  await client.next('session.updated');
  client.send({ type: 'input_audio_buffer.commit', event_id: 'evt_last_commit' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.code, 'input_audio_buffer_commit_empty');
  assert.equal(error.event_id, 'evt_last_commit');
});

test('openai SDK: a transcription session (intent) completes with a transcript', async () => {
  const server = await startTestServer({ tls: 'self-signed' });
  const openai = new OpenAI({ apiKey: 'sk-test-local', baseURL: server.url.replace(/^wss:/, 'https:') });
  const rt = new OpenAIRealtimeWS({ intent: 'transcription', options: { ca: server.certificate } }, openai);
  const events: RealtimeServerEvent[] = [];
  const completed = new Promise<RealtimeServerEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no transcript; got ${events.map((e) => e.type).join(', ')}`)), 10_000);
    rt.on('event', (event) => {
      events.push(event);
      if (event.type === 'session.created') {
        rt.send({ type: 'session.update', session: { type: 'transcription', audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: null } } } });
        rt.send({ type: 'input_audio_buffer.append', audio: tone(500).toString('base64') });
        rt.send({ type: 'input_audio_buffer.commit' });
      }
      if (event.type === 'conversation.item.input_audio_transcription.completed') {
        clearTimeout(timer);
        resolve(event);
      }
    });
  });
  try {
    const event = await completed;
    assert.equal(event.type === 'conversation.item.input_audio_transcription.completed' && event.transcript, 'hello from the test');
    assert.ok(!events.some((e) => e.type === 'error'), JSON.stringify(events.filter((e) => e.type === 'error')));
  } finally {
    rt.close();
  }
});
