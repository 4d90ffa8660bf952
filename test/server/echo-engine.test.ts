import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import type { EngineChunk, EngineMessage, EngineRequest } from '../../src/server/engines/reply-engine.js';

const TOOLS = [
  { type: 'function' as const, name: 'get_weather', parameters: { type: 'object' } },
  { type: 'function' as const, name: 'set-alarm', parameters: { type: 'object' } },
];

async function reply(messages: EngineMessage[], overrides: Partial<EngineRequest> = {}): Promise<EngineChunk[]> {
  const chunks: EngineChunk[] = [];
  const request = { instructions: '', messages, tools: TOOLS, toolChoice: 'auto', signal: new AbortController().signal, ...overrides };
  for await (const chunk of new EchoEngine().reply(request)) chunks.push(chunk);
  return chunks;
}

function text(chunks: EngineChunk[]): string {
  return chunks.map((chunk) => (chunk.type === 'text' ? chunk.delta : '')).join('');
}

function call(chunks: EngineChunk[]): { name: string; args: unknown } | undefined {
  const found = chunks.find((chunk) => chunk.type === 'tool_call');
  return found?.type === 'tool_call' ? { name: found.name, args: JSON.parse(found.arguments) } : undefined;
}

test('echoes the last user turn word by word', async () => {
  const chunks = await reply([{ role: 'user', text: 'first' }, { role: 'assistant', text: 'You said: first' }, { role: 'user', text: '  good morning  ' }]);
  assert.equal(text(chunks), 'You said: good morning');
  assert.ok(chunks.length > 2);
  assert.equal(text(await reply([{ role: 'user', text: '' }])), "I didn't catch anything.");
});

test('the documented phrases call declared tools with parsed arguments', async () => {
  assert.deepEqual(call(await reply([{ role: 'user', text: 'Call get_weather with city New York and days 3.' }])), { name: 'get_weather', args: { city: 'New York', days: 3 } });
  assert.deepEqual(call(await reply([{ role: 'user', text: 'please use the get weather tool' }])), { name: 'get_weather', args: {} });
  assert.deepEqual(call(await reply([{ role: 'user', text: 'use set-alarm {"at": "07:00", "loud": true}' }])), { name: 'set-alarm', args: { at: '07:00', loud: true } });
  assert.deepEqual(call(await reply([{ role: 'user', text: 'call the set alarm tool with enabled false and note null' }])), { name: 'set-alarm', args: { enabled: false, note: null } });
});

test('no tool is called without the phrase, for undeclared names, or with tool_choice none', async () => {
  assert.equal(call(await reply([{ role: 'user', text: 'what is the weather' }])), undefined);
  assert.equal(call(await reply([{ role: 'user', text: 'call get_time' }])), undefined);
  assert.equal(call(await reply([{ role: 'user', text: 'call get_weather' }], { toolChoice: 'none' })), undefined);
  assert.equal(call(await reply([{ role: 'user', text: 'recall get_weathering' }])), undefined);
});

test('tool_choice naming a function or "required" forces a call', async () => {
  assert.equal(call(await reply([{ role: 'user', text: 'anything' }], { toolChoice: 'set-alarm' }))?.name, 'set-alarm');
  assert.equal(call(await reply([{ role: 'user', text: 'anything' }], { toolChoice: 'required' }))?.name, 'get_weather');
});

test('after a tool result it reports the result instead of calling again', async () => {
  const chunks = await reply([
    { role: 'user', text: 'call get_weather' },
    { role: 'tool_call', callId: 'c1', name: 'get_weather', arguments: '{}' },
    { role: 'tool_result', callId: 'c1', output: 'rain' },
  ]);
  assert.equal(call(chunks), undefined);
  assert.equal(text(chunks), 'The get_weather tool returned: rain');
});

test('with nothing new from the user it asks whether they are still there', async () => {
  assert.equal(text(await reply([{ role: 'user', text: 'hi' }, { role: 'assistant', text: 'You said: hi' }])), 'Are you still there?');
});
