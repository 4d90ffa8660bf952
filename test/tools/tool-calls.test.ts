/**
 * Function calls end to end: a real `kaiwa serve` (echo engine, or the openai-chat engine
 * against a fake Chat Completions server for two calls in one response), a real
 * RealtimeSession over WebSocketTransport, tools attached with attachTools. The proxy
 * records what the server received: the exact function_call_output items and one
 * response.create per batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startTestServer } from '../helpers/server-harness.js';
import { startFakeChat, textChunks } from '../helpers/server-fake-chat.js';
import { OpenAIChatEngine } from '../../src/server/engines/openai-chat-engine.js';
import { startToolSession, toolTraffic, withoutEventIds, recordCalls, nextEvent } from '../helpers/tools-session.js';
import { loadModuleTools } from '../../src/tools/load-module-tools.js';
import { loadShellTools } from '../../src/tools/load-shell-tools.js';
import type { Tool } from '../../src/tools/tool.js';
import type { ApprovalRequest } from '../../src/tools/tool-runner.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const EXAMPLE_MODULE = fileURLToPath(new URL('../../examples/weather-tools.mjs', import.meta.url));

function tool(name: string, handler: Tool['handler'], extra: Partial<Tool> = {}): Tool {
  return {
    source: 'module', file: 'test', name, description: `${name} (test)`,
    parameters: { type: 'object', properties: { city: { type: 'string' } } }, handler, ...extra,
  } as Tool;
}

function output(callId: string, text: string): Record<string, unknown> {
  return { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: text } };
}

test('a module tool (the weather example) is called, its output sent with the call_id, then one response.create', async () => {
  const server = await startTestServer();
  const tools = await loadModuleTools(EXAMPLE_MODULE);
  const { session, proxy, results, ask } = await startToolSession(server, tools);
  const calls = recordCalls(session);
  const answer = await ask('call get_weather with city Paris');
  assert.equal(calls.length, 1);
  const expected = '{"city":"Paris","condition":"light rain","humidity":82,"wind_kph":15,"temperature_c":11,"source":"canned demo data"}';
  const afterUser = proxy.sent.slice(proxy.sent.findIndex((event) => event.type === 'response.create') + 1);
  assert.deepEqual(withoutEventIds(toolTraffic(afterUser)), [output(calls[0]!.callId, expected), { type: 'response.create' }]);
  assert.equal(answer, `The get_weather tool returned: ${expected}`);
  assert.deepEqual(results.map(({ name, outcome, args }) => ({ name, outcome, args })), [{ name: 'get_weather', outcome: 'ok', args: { city: 'Paris' } }]);
});

test('a JSON shell tool runs its argv template without a shell: the argument arrives as one literal argument', async () => {
  const dir = tempDir('kaiwa-shell-tools-');
  const file = join(dir, 'tools.json');
  await writeFile(file, JSON.stringify({
    tools: [{
      name: 'shout', description: 'Prints its words', needsApproval: false,
      parameters: { type: 'object', properties: { words: { type: 'string' } }, required: ['words'] },
      command: [process.execPath, '-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', '--', '{words}'],
    }],
  }));
  const server = await startTestServer();
  const { session, proxy, ask } = await startToolSession(server, await loadShellTools(file));
  const calls = recordCalls(session);
  const answer = await ask('call shout {"words": "hi; touch /tmp/kaiwa-pwned $(id) `id`"}');
  const argv = '["hi; touch /tmp/kaiwa-pwned $(id) `id`"]';
  assert.deepEqual(withoutEventIds(toolTraffic(proxy.sent).slice(1)), [output(calls[0]!.callId, argv), { type: 'response.create' }]);
  assert.equal(answer, `The shout tool returned: ${argv}`);
});

test('a tool that throws sends {"error": message}, and the session carries on', async () => {
  const server = await startTestServer();
  const { session, proxy, results, ask } = await startToolSession(server, [tool('explode', () => { throw new Error('the fuse was lit'); })]);
  const calls = recordCalls(session);
  const answer = await ask('call explode');
  assert.deepEqual(withoutEventIds(toolTraffic(proxy.sent).slice(1)), [output(calls[0]!.callId, '{"error":"the fuse was lit"}'), { type: 'response.create' }]);
  assert.equal(answer, 'The explode tool returned: {"error":"the fuse was lit"}');
  assert.equal(results[0]!.outcome, 'error');
  assert.equal(await ask('still there?'), 'You said: still there?');
});

test('a tool that hangs is stopped at its timeout: its signal aborts and the model gets a timeout error', async () => {
  const server = await startTestServer();
  let aborted = false;
  let outputsSentBeforeAbort: number | undefined;
  const { session, proxy, results, ask } = await startToolSession(server, [tool('hang', (_args, ctx) => new Promise((resolve) => {
    ctx.signal.addEventListener('abort', () => {
      aborted = true;
      outputsSentBeforeAbort = toolTraffic(proxy.sent).filter((event) => event.type === 'conversation.item.create').length;
      // A handler that answers anyway once stopped: its late answer must be ignored.
      setImmediate(() => resolve('too late'));
    });
  }), { timeoutMs: 300 })]);
  const calls = recordCalls(session);
  const answer = await ask('call hang');
  const expected = '{"error":"hang did not finish within 300 ms and was stopped"}';
  assert.deepEqual(withoutEventIds(toolTraffic(proxy.sent).slice(1)), [output(calls[0]!.callId, expected), { type: 'response.create' }]);
  assert.equal(answer, `The hang tool returned: ${expected}`);
  assert.ok(aborted, 'the handler saw its signal abort');
  // The timer's length itself is timer logic, checked with mock timers in tool-runner-edges.test.ts.
  assert.equal(outputsSentBeforeAbort, 0, 'the timeout output went out only after the handler was stopped');
  assert.equal(results[0]!.outcome, 'timeout');
});

test('two calls in one response run concurrently, both outputs go back in call order, then exactly one response.create', async () => {
  const fake = await startFakeChat((body) => {
    const messages = body.messages as Array<{ role: string; content?: string }>;
    if (messages.at(-1)?.role === 'tool') {
      const outputs = messages.filter((message) => message.role === 'tool').map((message) => message.content);
      return { chunks: textChunks(`Both: ${outputs.join(' & ')}`) };
    }
    return {
      chunks: [
        { choices: [{ delta: { tool_calls: [{ index: 0, id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } }] } }] },
        { choices: [{ delta: { tool_calls: [{ index: 1, id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '{"place":"Tokyo"}' } }] } }] },
        { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: '"Tokyo"}' } }] } }] },
        { choices: [{ delta: {}, finish_reason: 'tool_calls' }] },
      ],
    };
  });
  const server = await startTestServer({ engine: new OpenAIChatEngine({ url: fake.url }) });
  // Each handler waits until both run (a runner that ran them one after the other would
  // time out here), then get_time finishes first: the outputs still go back in call order.
  const running = new Set<string>();
  let overlapped = false;
  let timeFinished!: () => void;
  const timeDone = new Promise<void>((resolve) => { timeFinished = resolve; });
  const slow = (name: string, value: string): Tool => tool(name, async () => {
    running.add(name);
    if (running.size === 2) overlapped = true;
    await waitFor(() => overlapped, { what: `the other handler to run alongside ${name}`, timeoutMs: 5000 });
    if (name === 'get_weather') await timeDone;
    running.delete(name);
    if (name === 'get_time') timeFinished();
    return value;
  });
  const { proxy, results, ask } = await startToolSession(server, [slow('get_weather', 'sunny'), slow('get_time', '09:00')]);
  const answer = await ask('weather and time in Tokyo?');
  assert.ok(overlapped, 'both handlers were running at the same time');
  assert.deepEqual(withoutEventIds(toolTraffic(proxy.sent).slice(1)), [
    output('call_weather', 'sunny'), output('call_time', '09:00'), { type: 'response.create' },
  ]);
  assert.equal(answer, 'Both: sunny & 09:00');
  assert.deepEqual(results.map((result) => result.name).sort(), ['get_time', 'get_weather']);
  assert.equal(fake.requests.length, 2);
});

test('a refused approval never runs the tool and tells the model the user refused', async () => {
  const server = await startTestServer();
  let ran = false;
  const asked: ApprovalRequest[] = [];
  const deleteFiles = tool('delete_files', () => { ran = true; return 'deleted'; }, { needsApproval: true });
  const { session, proxy, results, ask } = await startToolSession(server, [deleteFiles], {
    approve: async (request) => { asked.push(request); return false; },
  });
  const calls = recordCalls(session);
  const answer = await ask('use the delete_files tool with city everywhere');
  const refusal = '{"error":"the user refused to let delete_files run; do not call it again unless the user asks"}';
  assert.equal(ran, false);
  assert.deepEqual(asked.map(({ name, callId, args }) => ({ name, callId, args })), [{ name: 'delete_files', callId: calls[0]!.callId, args: { city: 'everywhere' } }]);
  assert.deepEqual(withoutEventIds(toolTraffic(proxy.sent).slice(1)), [output(calls[0]!.callId, refusal), { type: 'response.create' }]);
  assert.equal(answer, `The delete_files tool returned: ${refusal}`);
  assert.equal(results[0]!.outcome, 'refused');
});

test('no tool with needsApproval runs without a yes: no approve callback, a throwing one, or one answering anything but true', async () => {
  const server = await startTestServer();
  const runs: string[] = [];
  const guarded = tool('guarded', () => { runs.push('guarded'); return 'ran'; }, { needsApproval: true });
  const approvers: Array<((request: ApprovalRequest) => Promise<boolean> | boolean) | undefined> = [
    undefined,
    () => { throw new Error('the prompt broke'); },
    () => 'yes' as unknown as boolean,
    async () => new Promise<boolean>((_resolve, reject) => setImmediate(() => reject(new Error('late')))),
  ];
  for (const approve of approvers) {
    const { results, ask } = await startToolSession(server, [guarded], approve ? { approve } : {});
    await ask('call guarded');
    assert.equal(results[0]!.outcome, 'refused');
  }
  assert.deepEqual(runs, []);
  const { results, ask } = await startToolSession(server, [guarded], { approve: () => true });
  assert.equal(await ask('call guarded'), 'The guarded tool returned: ran');
  assert.deepEqual(runs, ['guarded']);
  assert.equal(results[0]!.outcome, 'ok');
});

test('a call for a tool kaiwa does not have gets an error output, and the batch still ends with one response.create', async () => {
  const server = await startTestServer();
  const { session, proxy, ask } = await startToolSession(server, [], {
    extraDeclarations: [{ type: 'function', name: 'ghost', description: 'declared but not loaded', parameters: { type: 'object', properties: {} } }],
  });
  const calls = recordCalls(session);
  const answer = await ask('call ghost');
  assert.deepEqual(withoutEventIds(toolTraffic(proxy.sent).slice(1)), [output(calls[0]!.callId, '{"error":"there is no tool named ghost"}'), { type: 'response.create' }]);
  assert.equal(answer, 'The ghost tool returned: {"error":"there is no tool named ghost"}');
});

test('tools in consecutive turns each get their own single response.create, and detach stops the runner', async () => {
  const server = await startTestServer();
  const tools = await loadModuleTools(EXAMPLE_MODULE);
  const { session, proxy, attached, ask } = await startToolSession(server, tools);
  assert.match(await ask('call get_time with place Tokyo'), /^The get_time tool returned: \{"place":"Tokyo","time_zone":"Asia\/Tokyo"/);
  assert.match(await ask('call get_weather with city Atlantis'), /^The get_weather tool returned: \{"error":"no weather data for Atlantis/);
  const creates = proxy.sent.filter((event) => event.type === 'response.create').length;
  assert.equal(creates, 4, 'two user turns + one per tool batch');
  attached.detach();
  const done = nextEvent(session, 'response.done');
  session.sendText('call get_time with place Paris');
  assert.equal((await done).response.output?.[0]?.type, 'function_call');
  // A round trip after the call: an attached runner would have answered the call before it.
  const updated = nextEvent(session, 'session.updated');
  session.updateSession({ type: 'realtime' });
  await updated;
  const outputs = toolTraffic(proxy.sent).filter((event) => event.type === 'conversation.item.create');
  assert.equal(outputs.length, 2, 'no output for the call made after detach');
  assert.equal(proxy.sent.filter((event) => event.type === 'response.create').length, 5, 'only the user turn\'s own create');
});

test('a line typed while a tool runs waits for it: the tool\'s output and its answer come before the line and the line\'s answer', async () => {
  const server = await startTestServer();
  let finish!: (value: string) => void;
  const slowWeather = tool('get_weather', () => new Promise<string>((resolve) => { finish = resolve; }));
  const { session, proxy } = await startToolSession(server, [slowWeather]);
  const answers: string[] = [];
  session.on('server-event', (event) => {
    if (event.type !== 'response.done') return;
    const output = event.response.output ?? [];
    if (output.some((item) => item.type === 'function_call')) return answers.push('(calls a tool)');
    answers.push(output.flatMap((item) => (item.type === 'message' ? item.content.map((part) => ('text' in part ? part.text : '')) : [])).join(''));
  });
  session.sendText('call get_weather with city Paris');
  session.sendText('and what about tomorrow');
  await waitFor(() => finish !== undefined && answers.length === 1, { what: 'the tool runs' });
  assert.equal(proxy.sent.filter((event) => event.type === 'response.create').length, 1, 'the second line waits while the tool runs');
  finish('sunny');
  await waitFor(() => answers.length === 3, { what: 'the tool\'s answer and the line\'s' });
  assert.deepEqual(answers, ['(calls a tool)', 'The get_weather tool returned: sunny', 'You said: and what about tomorrow']);
  const order = proxy.sent.filter((event) => event.type === 'response.create' || event.type === 'conversation.item.create')
    .map((event) => (event.type === 'response.create' ? 'create' : (event.item as { type: string; content?: Array<{ text: string }> }).type === 'function_call_output' ? 'output' : (event.item as { content: Array<{ text: string }> }).content[0]!.text));
  assert.deepEqual(order, ['call get_weather with city Paris', 'create', 'output', 'create', 'and what about tomorrow', 'create']);
});
