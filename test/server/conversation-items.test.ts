import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, startTestServer, textSession, userText } from '../helpers/server-harness.js';
import { ToneSynthesizer, fakeSpeech } from '../helpers/server-speech.js';
import type { Json, TestClient } from '../helpers/server-client.js';
import { parseClientItem } from '../../src/server/conversation-items.js';
import { refusalOf } from '../helpers/protocol-refusal.js';

async function create(client: TestClient, text: string, extra: Record<string, unknown> = {}): Promise<Json> {
  client.send({ ...userText(text), ...extra });
  const added = await client.next('conversation.item.added');
  await client.next('conversation.item.done');
  return added;
}

test('items are ordered by previous_item_id, including root', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  const a = await create(client, 'A');
  const c = await create(client, 'C');
  assert.equal(c.previous_item_id, (a.item as Json).id);
  const b = await create(client, 'B', { previous_item_id: (a.item as Json).id });
  assert.equal(b.previous_item_id, (a.item as Json).id);
  const first = await create(client, 'first', { previous_item_id: 'root' });
  assert.equal(first.previous_item_id, null);
  client.send({ type: 'response.create', response: { conversation: 'none', input: [] } });
  await client.next('response.done');
  client.send({ type: 'response.create' });
  const response = await client.until('response.done');
  // The echo engine answers the last user message: C stays last although B came later.
  assert.equal(response.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join(''), 'You said: C');
  client.send({ ...userText('lost'), previous_item_id: 'item_missing', event_id: 'evt_prev' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.param, 'previous_item_id');
  assert.equal(error.event_id, 'evt_prev');
});

test('a client-chosen item id is kept, and a duplicate is refused', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.send({ type: 'conversation.item.create', item: { id: 'item_mine', type: 'message', role: 'system', content: [{ type: 'input_text', text: 'rules' }] } });
  assert.equal(((await client.next('conversation.item.added')).item as Json).id, 'item_mine');
  client.send({ type: 'conversation.item.create', item: { id: 'item_mine', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'again' }] } });
  assert.equal(((await client.next('error')).error as Json).code, 'item_already_exists');
});

test('retrieve returns the item, delete removes it, and unknown ids are errors', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  const added = await create(client, 'keep me');
  const id = (added.item as Json).id;
  client.send({ type: 'conversation.item.retrieve', item_id: id });
  const retrieved = await client.next('conversation.item.retrieved');
  assert.deepEqual(retrieved.item, added.item);
  client.send({ type: 'conversation.item.delete', item_id: id });
  assert.equal((await client.next('conversation.item.deleted')).item_id, id);
  client.send({ type: 'conversation.item.retrieve', item_id: id, event_id: 'evt_gone' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.code, 'item_not_found');
  assert.equal(error.event_id, 'evt_gone');
  client.send({ type: 'conversation.item.delete', item_id: id });
  assert.equal(((await client.next('error')).error as Json).code, 'item_not_found');
});

test('invalid items are refused with the parameter named', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'robot', content: [] } });
  assert.equal(((await client.next('error')).error as Json).param, 'item.role');
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text' }] } });
  assert.equal(((await client.next('error')).error as Json).param, 'item.content[0].text');
  client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', output: 'x' } });
  assert.equal(((await client.next('error')).error as Json).param, 'item.call_id');
});

test('an item\'s object and status (as conversation.item.done shows them) and an image\'s detail are type-checked', () => {
  const formats = { input: 'pcm16', output: 'pcm16' } as const;
  const message = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] };
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ ...message, object: 5 }, 'invalid_type', 'item.object'],
    [{ ...message, object: 'realtime.response' }, 'invalid_value', 'item.object'],
    [{ ...message, status: 'done' }, 'invalid_value', 'item.status'],
    [{ type: 'function_call_output', call_id: 'call_1', output: '{}', status: true }, 'invalid_type', 'item.status'],
    [{ ...message, content: [{ type: 'input_image', image_url: 'data:image/png;base64,AA==', detail: 'extreme' }] }, 'invalid_value', 'item.content[0].detail'],
  ];
  for (const [item, code, param] of cases) {
    assert.deepEqual(refusalOf(() => parseClientItem(item, 'item', formats), item), { code, param }, JSON.stringify(item));
  }
  // Well-typed, as an app replaying the items it was sent writes them.
  for (const status of ['completed', 'incomplete', 'in_progress']) parseClientItem({ ...message, object: 'realtime.item', status }, 'item', formats);
  const image = parseClientItem({ ...message, content: [{ type: 'input_image', image_url: 'data:image/png;base64,AA==', detail: 'low' }] }, 'item', formats);
  assert.deepEqual(image.item.type === 'message' && image.item.content[0], { type: 'input_image', image_url: 'data:image/png;base64,AA==', detail: 'low' });
});

test('each item type takes only its own fields: one of another type is an unknown parameter, with its path', () => {
  const formats = { input: 'pcm16', output: 'pcm16' } as const;
  const message = { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] };
  const call = { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{}' };
  const output = { type: 'function_call_output', call_id: 'call_1', output: '{}' };
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...message, output: '{}' }, 'item.output'],
    [{ ...message, arguments: '{}' }, 'item.arguments'],
    [{ ...message, call_id: 'call_1' }, 'item.call_id'],
    [{ ...message, name: 'lookup' }, 'item.name'],
    [{ ...call, output: '{}' }, 'item.output'],
    [{ ...call, role: 'assistant' }, 'item.role'],
    [{ ...call, content: [] }, 'item.content'],
    [{ ...output, name: 'lookup' }, 'item.name'],
    [{ ...output, arguments: '{}' }, 'item.arguments'],
    [{ ...output, role: 'user' }, 'item.role'],
  ];
  for (const [item, param] of cases) {
    assert.deepEqual(refusalOf(() => parseClientItem(item, 'item', formats), item), { code: 'unknown_parameter', param }, JSON.stringify(item));
  }
  // Each type's own fields, and those every item has, pass.
  const common = { id: 'item_own', object: 'realtime.item', status: 'completed' };
  for (const item of [message, call, output]) parseClientItem({ ...item, ...common }, 'item', formats);
});

test('conversation.item.create and response.create refuse a field of another item type, naming the event', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.send({ type: 'conversation.item.create', event_id: 'evt_output_on_message', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }], output: 'x' } });
  const created = (await client.next('error')).error as Json;
  assert.deepEqual([created.code, created.param, created.event_id], ['unknown_parameter', 'item.output', 'evt_output_on_message']);
  client.send({ type: 'response.create', event_id: 'evt_role_on_call', response: { conversation: 'none', input: [{ type: 'function_call', name: 'f', arguments: '{}', role: 'assistant' }] } });
  const input = (await client.next('error')).error as Json;
  assert.deepEqual([input.code, input.param, input.event_id], ['unknown_parameter', 'response.input[0].role', 'evt_role_on_call']);
});

test('truncating an assistant audio item cuts its audio and its transcript in proportion', async () => {
  const server = await startTestServer({ speech: fakeSpeech({ synthesizer: new ToneSynthesizer(20, 250) }) });
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  client.send(userText('one two three four five six seven eight'));
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  const item = (events.at(-1)!.response as { output: Json[] }).output[0]!;
  const totalMs = events.filter((event) => event.type === 'response.output_audio.delta')
    .reduce((sum, event) => sum + Buffer.from(String(event.delta), 'base64').length / 48, 0);
  const half = Math.floor(totalMs / 2);
  client.send({ type: 'conversation.item.truncate', item_id: item.id, content_index: 0, audio_end_ms: Math.ceil(totalMs) + 50, event_id: 'evt_long' });
  const tooLong = (await client.next('error')).error as Json;
  assert.equal(tooLong.param, 'audio_end_ms');
  assert.equal(tooLong.event_id, 'evt_long');
  client.send({ type: 'conversation.item.truncate', item_id: item.id, content_index: 0, audio_end_ms: half });
  const truncated = await client.next('conversation.item.truncated');
  assert.deepEqual([truncated.item_id, truncated.content_index, truncated.audio_end_ms], [item.id, 0, half]);
  client.send({ type: 'conversation.item.retrieve', item_id: item.id });
  const kept = ((await client.next('conversation.item.retrieved')).item as { content: Json[] }).content[0]!;
  const full = 'You said: one two three four five six seven eight';
  assert.equal(Buffer.from(String(kept.audio), 'base64').length, half * 48);
  assert.ok(full.startsWith(String(kept.transcript)));
  assert.ok(Math.abs(String(kept.transcript).length - full.length / 2) <= 8, `transcript "${kept.transcript}"`);
});

test('only assistant audio can be truncated', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  const added = await create(client, 'not audio');
  client.send({ type: 'conversation.item.truncate', item_id: (added.item as Json).id, content_index: 0, audio_end_ms: 0 });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.type, 'invalid_request_error');
  assert.match(String(error.message), /Only model output audio messages can be truncated/);
});
