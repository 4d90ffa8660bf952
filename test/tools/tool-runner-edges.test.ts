/**
 * Runner cases a real engine will not produce on demand, played by a scripted in-memory server:
 * arguments that are not JSON, incomplete and repeated call items, and the calls of a
 * cancelled response (outputs sent, no response.create). Also: a tool's output is bounded,
 * and callbacks that throw do not stop the batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeSession } from '../../src/client/session.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { attachTools, type ToolResultInfo } from '../../src/tools/tool-runner.js';
import type { Tool } from '../../src/tools/tool.js';
import { InMemoryTransport, drained, type WireJson } from '../helpers/in-memory-transport.js';
import { withoutEventIds } from '../helpers/tools-session.js';

let responses = 0;
function respond(connection: InMemoryTransport, status: string, output: object[]): void {
  responses += 1;
  const response = { object: 'realtime.response', id: `resp_${responses}`, output_modalities: ['text'], usage: null };
  connection.deliver({ type: 'response.created', event_id: `e${responses}a`, response: { ...response, status: 'in_progress', output: [] } });
  connection.deliver({ type: 'response.done', event_id: `e${responses}b`, response: { ...response, status, output } });
}

function call(callId: string, name: string, args: string, status = 'completed'): object {
  return { id: `item_${callId}`, object: 'realtime.item', type: 'function_call', status, name, call_id: callId, arguments: args };
}

const echo: Tool = {
  source: 'builtin', name: 'echo', description: 'echo', parameters: { type: 'object', properties: {} },
  handler: (args) => args,
};

async function scenario(first: (connection: InMemoryTransport) => void, tools: Tool[], onResult?: (info: ToolResultInfo) => void, maxOutputChars?: number): Promise<WireJson[]> {
  let creates = 0;
  const connection = new InMemoryTransport((event) => {
    if (event.type !== 'response.create') return;
    creates += 1;
    if (creates === 1) first(connection);
    else respond(connection, 'completed', [{ id: 'msg', object: 'realtime.item', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'thanks' }] }]);
  });
  const session = new RealtimeSession(connection, gaDialect);
  const attached = attachTools(session, tools, { onResult, ...(maxOutputChars ? { maxOutputChars } : {}), onCall: () => { throw new Error('a broken display'); } });
  const firstDone = new Promise<void>((resolve) => session.on('server-event', (event) => { if (event.type === 'response.done') resolve(); }));
  session.createResponse();
  await firstDone;
  await attached.idle();
  await drained();
  await session.close();
  return withoutEventIds(connection.received.filter((event) => event.type !== 'session.update') as unknown as Parameters<typeof withoutEventIds>[0]) as WireJson[];
}

test('arguments that are not a JSON object get an error output; incomplete and repeated calls are not run', async () => {
  const results: ToolResultInfo[] = [];
  const received = await scenario((connection) => respond(connection, 'completed', [
    call('call_a', 'echo', '{"x": 1}'),
    call('call_b', 'echo', '{"x": '),
    call('call_c', 'echo', '[1, 2]'),
    call('call_d', 'echo', '{"x": 2', 'incomplete'),
    call('call_a', 'echo', '{"x": 3}'),
    call('call_e', 'echo', ''),
  ]), [echo], (info) => results.push(info));
  const outputs = received.filter((event) => event.type === 'conversation.item.create').map((event) => (event.item as { call_id: string; output: string }));
  assert.deepEqual(outputs.map((item) => item.call_id), ['call_a', 'call_b', 'call_c', 'call_e']);
  assert.equal(outputs[0]!.output, '{"x":1}');
  assert.match(outputs[1]!.output, /^\{"error":"the arguments for echo are not a JSON object: .+"\}$/);
  assert.equal(outputs[2]!.output, '{"error":"the arguments for echo are not a JSON object: got an array"}');
  assert.equal(outputs[3]!.output, '{}', 'empty arguments are an empty object');
  assert.deepEqual(received.map((event) => event.type), ['response.create', ...Array(4).fill('conversation.item.create'), 'response.create']);
  assert.deepEqual(Object.fromEntries(results.map((result) => [result.callId, result.outcome])), { call_a: 'ok', call_b: 'error', call_c: 'error', call_e: 'ok' });
});

test('the calls of a cancelled response run and their outputs are sent, but no response is requested for them', async () => {
  const received = await scenario((connection) => respond(connection, 'cancelled', [call('call_x', 'echo', '{"y": true}')]), [echo]);
  assert.deepEqual(received, [
    { type: 'response.create' },
    { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_x', output: '{"y":true}' } },
  ]);
});

test('a long output is cut at maxOutputChars with a note', async () => {
  const big: Tool = { ...echo, name: 'big', handler: () => 'x'.repeat(500) };
  const received = await scenario((connection) => respond(connection, 'completed', [call('call_big', 'big', '{}')]), [big], undefined, 100);
  const item = received.find((event) => event.type === 'conversation.item.create')!.item as { output: string };
  assert.equal(item.output, `${'x'.repeat(100)}\n[output truncated at 100 characters]`);
});

test('a tool that hangs is stopped at exactly its timeoutMs: not a moment before, at once after (mock timers)', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let aborted = false;
  const hang: Tool = { ...echo, name: 'hang', timeoutMs: 300, handler: (_args, ctx) => new Promise(() => ctx.signal.addEventListener('abort', () => { aborted = true; })) };
  const connection = new InMemoryTransport();
  const session = new RealtimeSession(connection, gaDialect);
  const attached = attachTools(session, [hang]);
  respond(connection, 'completed', [call('call_h', 'hang', '{}')]);
  await drained();
  const outputs = (): WireJson[] => connection.received.filter((event) => event.type === 'conversation.item.create');
  t.mock.timers.tick(299);
  await drained();
  assert.equal(aborted, false, 'still running 1 ms before its timeout');
  assert.deepEqual(outputs(), []);
  t.mock.timers.tick(1);
  await drained();
  assert.equal(aborted, true, 'its signal aborts at the timeout');
  assert.deepEqual(outputs().map((event) => (event.item as { output: string }).output), ['{"error":"hang did not finish within 300 ms and was stopped"}']);
  attached.detach();
  await session.close();
});

test('a result with no JSON (a circular object) goes back as an error saying so, not as "[object Object]"', async () => {
  const circular: Tool = { ...echo, name: 'circular', handler: () => { const value: Record<string, unknown> = {}; value.self = value; return value; } };
  const statuses: string[] = [];
  const received = await scenario((connection) => respond(connection, 'completed', [call('call_c', 'circular', '{}')]), [circular], (info) => statuses.push(info.outcome));
  const item = received.find((event) => event.type === 'conversation.item.create')!.item as { output: string };
  assert.match(JSON.parse(item.output).error as string, /^circular returned a value that cannot be sent as JSON \(.*circular/i);
  assert.deepEqual(statuses, ['error']);
});
