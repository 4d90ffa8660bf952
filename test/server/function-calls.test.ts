import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, textSession, types, userText } from '../helpers/server-harness.js';
import type { Json } from '../helpers/server-client.js';

const WEATHER_TOOL = {
  type: 'function', name: 'get_weather', description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

test('a function call round trip: call item, arguments events, output item, final answer', async () => {
  const server = await startTestServer();
  const client = await textSession(server, { tools: [WEATHER_TOOL] });
  client.send(userText('Please call get_weather with city Paris'));
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  assert.deepEqual(types(events).slice(2), [
    'response.created', 'response.output_item.added', 'conversation.item.added',
    'response.function_call_arguments.delta', 'response.function_call_arguments.done',
    'response.output_item.done', 'conversation.item.done', 'response.done',
  ]);
  const added = events.find((event) => event.type === 'response.output_item.added')!.item as Json;
  assert.equal(added.status, 'in_progress');
  const done = events.find((event) => event.type === 'response.function_call_arguments.done')!;
  assert.equal(done.name, 'get_weather');
  assert.deepEqual(JSON.parse(String(done.arguments)), { city: 'Paris' });
  assert.equal(done.call_id, added.call_id);
  const output = (events.at(-1)!.response as { output: Json[] }).output;
  assert.equal(output[0]!.type, 'function_call');
  assert.equal(output[0]!.status, 'completed');
  client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: done.call_id, output: '{"temperature":21}' } });
  await client.next('conversation.item.done');
  client.send({ type: 'response.create' });
  const answer = await client.until('response.done');
  const text = answer.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
  assert.equal(text, 'The get_weather tool returned: {"temperature":21}');
});

test('JSON arguments in the text and "use the … tool" phrasing work, and undeclared tools are not called', async () => {
  const server = await startTestServer();
  const client = await textSession(server, { tools: [WEATHER_TOOL] });
  client.send(userText('use the get weather tool {"city": "Kyoto", "days": 2}'));
  client.send({ type: 'response.create' });
  const done = await client.next('response.function_call_arguments.done');
  assert.deepEqual(JSON.parse(String(done.arguments)), { city: 'Kyoto', days: 2 });
  await client.next('response.done');
  client.send(userText('call get_time'));
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  assert.ok(!types(events).includes('response.function_call_arguments.done'));
});

test('tool_choice naming a function forces it; tool_choice none forbids calls', async () => {
  const server = await startTestServer();
  const client = await textSession(server, { tools: [WEATHER_TOOL] });
  client.send(userText('what is it like outside in Oslo'));
  client.send({ type: 'response.create', response: { tool_choice: { type: 'function', name: 'get_weather' } } });
  assert.equal((await client.next('response.function_call_arguments.done')).name, 'get_weather');
  await client.next('response.done');
  client.send(userText('call get_weather with city Rome'));
  client.send({ type: 'response.create', response: { tool_choice: 'none' } });
  const events = await client.until('response.done');
  assert.ok(!types(events).includes('response.function_call_arguments.done'));
});

test('tools are validated: a nameless tool is an error', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.send({ type: 'session.update', session: { type: 'realtime', tools: [{ type: 'function', description: 'x' }] } });
  assert.equal(((await client.next('error')).error as Json).param, 'session.tools[0].name');
});
