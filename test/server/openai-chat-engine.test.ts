import { test } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { OpenAIChatEngine, chatCompletionsUrl } from '../../src/server/engines/openai-chat-engine.js';
import type { EngineChunk, EngineRequest } from '../../src/server/engines/reply-engine.js';
import { startTestServer, textSession, userText } from '../helpers/server-harness.js';
import { startFakeChat, textChunks } from '../helpers/server-fake-chat.js';
import type { Json } from '../helpers/server-client.js';

function request(overrides: Partial<EngineRequest> = {}): EngineRequest {
  return { instructions: 'Be brief.', messages: [{ role: 'user', text: 'hi' }], tools: [], toolChoice: 'auto', signal: new AbortController().signal, ...overrides };
}

async function collect(stream: AsyncIterable<EngineChunk>): Promise<EngineChunk[]> {
  const chunks: EngineChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

test('streams text deltas from SSE and sends the conversation as chat messages', async () => {
  const fake = await startFakeChat(() => ({ chunks: [{ choices: [{ delta: { role: 'assistant' } }] }, ...textChunks('Hel', 'lo', '!')] }));
  const engine = new OpenAIChatEngine({ url: fake.url, model: 'local-model', apiKey: 'sk-engine' });
  const chunks = await collect(engine.reply(request({
    messages: [
      { role: 'user', text: 'weather?' },
      { role: 'tool_call', callId: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { role: 'tool_result', callId: 'call_1', output: 'cold' },
    ],
    tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
    maxOutputTokens: 50,
  })));
  assert.deepEqual(chunks, [{ type: 'text', delta: 'Hel' }, { type: 'text', delta: 'lo' }, { type: 'text', delta: '!' }]);
  const sent = fake.requests[0]!;
  assert.equal(sent.authorization, 'Bearer sk-engine');
  assert.equal(sent.body.model, 'local-model');
  assert.equal(sent.body.stream, true);
  assert.equal(sent.body.max_tokens, 50);
  assert.deepEqual(sent.body.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'weather?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'cold' },
  ]);
  assert.deepEqual(sent.body.tools, [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } } }]);
  assert.equal(sent.body.tool_choice, 'auto');
});

test('accumulates streamed tool_calls fragments into whole calls', async () => {
  const fake = await startFakeChat(() => ({
    chunks: [
      { choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ index: 1, id: 'call_b', function: { name: 'get_time', arguments: '{}' } }] } }] },
      { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: 'ty":"Rome"}' } }] } }] },
      { choices: [{ delta: {}, finish_reason: 'tool_calls' }] },
    ],
  }));
  const chunks = await collect(new OpenAIChatEngine({ url: fake.url }).reply(request({
    tools: [{ type: 'function', name: 'get_weather' }, { type: 'function', name: 'get_time' }], toolChoice: 'get_weather',
  })));
  assert.deepEqual(chunks, [
    { type: 'tool_call', callId: 'call_a', name: 'get_weather', arguments: '{"city":"Rome"}' },
    { type: 'tool_call', callId: 'call_b', name: 'get_time', arguments: '{}' },
  ]);
  assert.deepEqual(fake.requests[0]!.body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
});

test('an HTTP error from the endpoint is an error naming the status', async () => {
  const fake = await startFakeChat(() => ({ status: 500 }));
  await assert.rejects(collect(new OpenAIChatEngine({ url: fake.url }).reply(request())), /HTTP 500/);
});

test('an endpoint nobody listens on is an error that says so and names the URL (not fetch\'s "fetch failed")', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/v1`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const engine = new OpenAIChatEngine({ url });
  await assert.rejects(collect(engine.reply(request())), (error: Error) => {
    assert.equal(error.message, `cannot reach ${chatCompletionsUrl(url)}: connection refused (is the Chat Completions server running, and the port right?)`);
    return true;
  });
});

test('a non-streaming JSON answer is still understood', async () => {
  const fake = await startFakeChat(() => ({ json: { choices: [{ message: { role: 'assistant', content: 'whole answer' } }] } }));
  assert.deepEqual(await collect(new OpenAIChatEngine({ url: fake.url }).reply(request())), [{ type: 'text', delta: 'whole answer' }]);
});

test('the endpoint URL may be a base URL or the full chat/completions URL', () => {
  assert.equal(chatCompletionsUrl('http://h:1/v1/'), 'http://h:1/v1/chat/completions');
  assert.equal(chatCompletionsUrl('http://h:1/v1/chat/completions'), 'http://h:1/v1/chat/completions');
});

test('through the server: a realtime text turn and a function call come from the chat endpoint', async () => {
  const fake = await startFakeChat((body) => {
    const messages = body.messages as Json[];
    if (messages.at(-1)!.role === 'tool') return { chunks: textChunks('It is ', String(messages.at(-1)!.content), '.') };
    if (String(messages.at(-1)!.content).includes('weather')) {
      return { chunks: [{ choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_w', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] } }] }] };
    }
    return { chunks: textChunks('Bonjour', ' !') };
  });
  const server = await startTestServer({ engine: new OpenAIChatEngine({ url: fake.url, model: 'm' }) });
  const client = await textSession(server, { tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }] });
  client.send(userText('hello'));
  client.send({ type: 'response.create' });
  assert.equal((await client.next('response.output_text.done')).text, 'Bonjour !');
  await client.next('response.done');
  client.send(userText('what is the weather'));
  client.send({ type: 'response.create' });
  const call = await client.next('response.function_call_arguments.done');
  assert.deepEqual([call.name, call.call_id, call.arguments], ['get_weather', 'call_w', '{"city":"Paris"}']);
  await client.next('response.done');
  client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_w', output: 'sunny' } });
  client.send({ type: 'response.create' });
  assert.equal((await client.next('response.output_text.done')).text, 'It is sunny.');
});

test('cancelling a response aborts the upstream request', async () => {
  const fake = await startFakeChat(() => ({ chunks: textChunks(...Array.from({ length: 200 }, (_, i) => `w${i} `)), delayMs: 10 }));
  const server = await startTestServer({ engine: new OpenAIChatEngine({ url: fake.url }) });
  const client = await textSession(server);
  client.send(userText('go on'));
  client.send({ type: 'response.create' });
  await client.next('response.output_text.delta');
  client.send({ type: 'response.cancel' });
  const done = await client.next('response.done');
  assert.equal((done.response as Json).status, 'cancelled');
  const deltas = client.events.filter((event) => event.type === 'response.output_text.delta').length;
  assert.ok(deltas < 100, `${deltas} deltas before the cancel took`);
});
