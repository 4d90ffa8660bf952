/**
 * A client event without a field its type requires is answered the way the service answers
 * it: `missing_required_parameter`, "Missing required parameter: '<param>'." (not a type
 * error about `undefined`); a field that is there but of the wrong type stays `invalid_type`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, startTestServer } from '../helpers/server-harness.js';
import type { Json, TestClient } from '../helpers/server-client.js';
import { MistakeLedger } from '../../src/server/strict/client-mistakes.js';

async function strictClient(): Promise<TestClient> {
  const server = await startTestServer({ strict: new MistakeLedger(() => undefined) });
  return (await connectClient(server)).client;
}

/** Sends `event` with an event_id of its own and returns the error that names that id. */
async function errorOf(client: TestClient, event: Json): Promise<Json> {
  const eventId = `evt_${event.type.replace(/\W/g, '_')}_${client.events.length}`;
  client.send({ ...event, event_id: eventId });
  const error = await client.nextMatching((candidate) => candidate.type === 'error' && (candidate.error as Json).event_id === eventId, `the error for ${eventId}`);
  return error.error as Json;
}

test('under --strict, a missing required field is missing_required_parameter, naming the parameter', async () => {
  const client = await strictClient();
  const cases: Array<[Json, string]> = [
    [{ type: 'conversation.item.create' }, 'item'],
    [{ type: 'session.update' }, 'session'],
    [{ type: 'conversation.item.truncate', item_id: 'item_x', content_index: 0 }, 'audio_end_ms'],
    [{ type: 'conversation.item.truncate', item_id: 'item_x', audio_end_ms: 100 }, 'content_index'],
    [{ type: 'conversation.item.create', item: { type: 'message', content: [{ type: 'input_text', text: 'hi' }] } }, 'item.role'],
    [{ type: 'conversation.item.create', item: { type: 'message', role: 'user' } }, 'item.content'],
    [{ type: 'input_audio_buffer.append' }, 'audio'],
    [{ type: 'session.update', session: { type: 'realtime', audio: { input: { format: { rate: 24000 } } } } }, 'session.audio.input.format.type'],
  ];
  for (const [event, param] of cases) {
    const error = await errorOf(client, event);
    assert.deepEqual(
      { code: error.code, param: error.param, message: error.message },
      { code: 'missing_required_parameter', param, message: `Missing required parameter: '${param}'.` },
      JSON.stringify(event),
    );
  }
});

test('under --strict, the session summary names each missing field with its event type, not by the error code', async () => {
  let summary: (line: string) => void = () => undefined;
  const printed = new Promise<string>((resolve) => { summary = resolve; });
  const server = await startTestServer({ strict: new MistakeLedger((line) => summary(line)) });
  const { client } = await connectClient(server);
  await errorOf(client, { type: 'conversation.item.create' });
  await errorOf(client, { type: 'conversation.item.create' });
  await errorOf(client, { type: 'conversation.item.create', item: { type: 'message', role: 'user' } });
  await errorOf(client, { type: 'conversation.item.truncate', item_id: 'item_x', content_index: 0 });
  client.send({ event_id: 'evt_untyped' });
  await client.nextMatching((event) => event.type === 'error' && (event.error as Json).event_id === 'evt_untyped', 'the untyped event\'s error');
  await client.close();
  assert.equal((await printed).replace(/sess_\w+/, 'sess_X'), 'strict: session sess_X: 5 protocol mistakes: '
    + 'conversation.item.create without item ×2, conversation.item.create without item.content ×1, '
    + 'conversation.item.truncate without audio_end_ms ×1, an event without type ×1');
});

test('a required field that is present with the wrong type is still invalid_type', async () => {
  const client = await strictClient();
  const item = await errorOf(client, { type: 'conversation.item.create', item: 'hello' });
  assert.deepEqual([item.code, item.param, item.message], ['invalid_type', 'item', "Invalid type for 'item': expected an object, but got a string."]);
  const session = await errorOf(client, { type: 'session.update', session: null });
  assert.deepEqual([session.code, session.param], ['invalid_type', 'session']);
  const end = await errorOf(client, { type: 'conversation.item.truncate', item_id: 'item_x', content_index: 0, audio_end_ms: '100' });
  assert.deepEqual([end.code, end.param], ['invalid_type', 'audio_end_ms']);
  const audio = await errorOf(client, { type: 'input_audio_buffer.append', audio: 5 });
  assert.deepEqual([audio.code, audio.param], ['invalid_type', 'audio']);
  client.send({ type: 5, event_id: 'evt_numeric_type' });
  const type = (await client.nextMatching((event) => event.type === 'error' && (event.error as Json).event_id === 'evt_numeric_type', 'the numeric type\'s error')).error as Json;
  assert.deepEqual([type.code, type.param, type.message], ['invalid_type', 'type', "Invalid type for 'type': expected a string, but got a number."]);
});

test('without --strict the missing field is named the same way', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  const error = await errorOf(client, { type: 'conversation.item.create' });
  assert.equal(error.code, 'missing_required_parameter');
  assert.equal(error.message, "Missing required parameter: 'item'.");
});
