import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, startTestServer, textSession, userText } from '../helpers/server-harness.js';
import type { Json } from '../helpers/server-client.js';

test('session.created announces a full default GA session with ids the service uses', async () => {
  const server = await startTestServer();
  const { client, session } = await connectClient(server);
  const created = client.events[0]!;
  assert.match(String(created.event_id), /^event_[A-Za-z0-9]{21}$/);
  assert.match(String(session.id), /^sess_/);
  assert.equal(session.object, 'realtime.session');
  assert.equal(session.type, 'realtime');
  assert.deepEqual(session.output_modalities, ['audio']);
  const audio = session.audio as { input: Json; output: Json };
  assert.deepEqual(audio.input.format, { type: 'audio/pcm', rate: 24000 });
  assert.equal((audio.input.turn_detection as Json).type, 'server_vad');
  assert.equal(typeof audio.output.voice, 'string');
  assert.equal(session.tool_choice, 'auto');
});

test('the model in the URL is the model of the session', async () => {
  const server = await startTestServer();
  const { session } = await connectClient(server, { path: '/realtime?model=gpt-realtime-mini' });
  assert.equal(session.model, 'gpt-realtime-mini');
});

test('session.update merges nested fields and keeps the rest', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', instructions: 'Be brief.', audio: { output: { voice: 'alloy' } } } });
  const first = (await client.next('session.updated')).session as Json;
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 700 } } } } });
  const second = (await client.next('session.updated')).session as { instructions: string; audio: { input: Json; output: Json } };
  assert.equal(first.instructions, 'Be brief.');
  assert.equal(second.instructions, 'Be brief.');
  assert.equal(second.audio.output.voice, 'alloy');
  assert.deepEqual(second.audio.input.turn_detection, {
    type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 700,
    idle_timeout_ms: null, create_response: true, interrupt_response: true,
  });
});

test('an invalid session.update is an error naming the parameter, and changes nothing', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', event_id: 'evt_client_1', session: { type: 'realtime', instructions: 'changed', audio: { output: { speed: 9 } } } });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.type, 'invalid_request_error');
  assert.equal(error.param, 'session.audio.output.speed');
  assert.equal(error.event_id, 'evt_client_1');
  assert.equal(typeof error.code, 'string');
  client.send({ type: 'session.update', session: { type: 'realtime' } });
  const session = (await client.next('session.updated')).session as { instructions: string };
  assert.notEqual(session.instructions, 'changed');
});

test('session.update refuses unknown parameters and bad enum values', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', colour: 'blue' } });
  assert.equal(((await client.next('error')).error as Json).code, 'unknown_parameter');
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { format: { type: 'audio/mp3' } } } } });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.code, 'invalid_value');
  assert.equal(error.param, 'session.audio.input.format.type');
  client.send({ type: 'session.update', session: { instructions: 'no type' } });
  assert.equal(((await client.next('error')).error as Json).param, 'session.type');
});

test('the voice cannot change once the assistant has spoken', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  client.send(userText('hi'));
  client.send({ type: 'response.create' });
  await client.next('response.done');
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'ash' } } } });
  assert.equal(((await client.next('error')).error as Json).code, 'cannot_update_voice');
});

test('malformed JSON and unknown event types are errors and the connection stays open', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.sendRaw('{not json');
  assert.equal(((await client.next('error')).error as Json).code, 'invalid_json');
  client.send({ type: 'no.such.event', event_id: 'evt_x' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.param, 'type');
  assert.equal(error.event_id, 'evt_x');
  client.sendRaw(Buffer.from([1, 2, 3]), true);
  await client.next('error');
  client.send(userText('still here?'));
  client.send({ type: 'response.create' });
  const done = await client.next('response.done');
  assert.equal((done.response as Json).status, 'completed');
});

test('a session that reaches its lifetime ends with session_expired and close 1000; a lifetime shortened for a test is said in seconds', async () => {
  const server = await startTestServer({ limits: { lifetimeSeconds: 0.3 } });
  const { client } = await connectClient(server);
  const error = await client.next('error');
  assert.deepEqual([(error.error as Json).code, (error.error as Json).message], ['session_expired', 'Your session hit the maximum duration of 0.3 seconds.']);
  assert.equal((await client.waitClosed()).code, 1000);
});
