import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import type { ResponseItemCreateEvent, ServerEvent } from 'openai/resources/live/live';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { assertNoStackTrace, ROOT, runKaiwa } from '../helpers/cli-runner.js';
import { speechWav, tempDir, wavData } from '../helpers/wav-fixtures.js';
import { eventId, speak, startLivePeer, whenQuestionHeard, type LiveConnection, type LivePeer } from '../helpers/live-peer.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';

const dir = tempDir();
const peers: LivePeer[] = [];
const servers: ScriptedServer[] = [];
after(async () => { for (const peer of peers) await peer.close(); });
after(async () => { for (const server of servers) await server.close(); });

const acknowledgementPcm = wavData(speechWav(dir, 'One moment.', 24000, 1, 'live-ack.wav'));
const answerPcm = wavData(speechWav(dir, 'Six times seven is forty two.', 24000, 1, 'live-answer.wav'));
/** Longer than the 2 s of assistant silence that ends a Live reply: the acknowledgement is over before the backend calls the tool. */
const BACKEND_THINKS_MS = 2600;

/** A nested event of the delegated Responses backend, as Live forwards it. */
function backend(connection: LiveConnection, event: Partial<ResponseStreamEvent> & { type: ResponseStreamEvent['type'] }): void {
  const forwarded: ServerEvent = { type: 'response.event', event_id: eventId(), delegation_id: 'del_1', event: event as Record<string, unknown> };
  connection.send(forwarded);
}

/**
 * A question that Live delegates: the delegation, the spoken acknowledgement, then (a
 * slow backend later) the Responses backend's function call for kaiwa to run.
 */
function delegate(connection: LiveConnection, questionMs: number): void {
  connection.send({ type: 'session.input_transcript.delta', event_id: eventId(), delta: 'What is six times seven?', start_ms: 100, end_ms: questionMs });
  connection.send({ type: 'session.delegation.created', event_id: eventId(), offset_ms: questionMs, delegation: { id: 'del_1', type: 'delegation', target: 'responses', response_id: 'resp_backend_1' } });
  speak(connection, acknowledgementPcm, ['One moment.'], questionMs + 200);
  backend(connection, { type: 'response.created', sequence_number: 0 });
  setTimeout(() => {
    backend(connection, {
      type: 'response.output_item.done', sequence_number: 1, output_index: 0,
      item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'calculator', arguments: '{"expression":"6*7"}', status: 'completed' },
    });
    backend(connection, { type: 'response.completed', sequence_number: 2 });
  }, BACKEND_THINKS_MS);
}

/** The tool's result came back and the backend was asked to go on: Live speaks the answer. */
function answer(connection: LiveConnection): void {
  backend(connection, { type: 'response.created', sequence_number: 3 });
  backend(connection, { type: 'response.output_text.done', sequence_number: 4, item_id: 'msg_1', output_index: 0, content_index: 0, text: '42', logprobs: [] });
  backend(connection, { type: 'response.completed', sequence_number: 5 });
  speak(connection, answerPcm, ['Six times seven ', 'is forty two.'], 6000);
  connection.send({ type: 'session.usage.updated', event_id: eventId(), usage: { seconds: 9 } });
}

test('a Live delegation runs kaiwa\'s tool: the result goes back as response.item.create, and --once waits past the acknowledgement for the spoken answer', async () => {
  const question = speechWav(dir, 'What is six times seven?', 24000, 1, 'live-tool-q.wav');
  const questionPcm = wavData(question);
  const delegateOnce = whenQuestionHeard(questionPcm.length, delegate);
  const peer = await startLivePeer({
    finalSeconds: 9,
    onEvent: (connection, event) => {
      delegateOnce(connection, event);
      if (event.type === 'response.create') answer(connection);
    },
  });
  peers.push(peer);
  const output = join(dir, 'live-tool-a.wav');
  const result = await runKaiwa(
    ['--url', peer.url, '--protocol', 'live', '--builtin-tools', 'calculator', '--delegate-model', 'gpt-5-mini',
      '--input', question, '--output', output, '--once', '--no-speaker'],
    { env: { OPENAI_API_KEY: 'sk-test-live-tools-0000' }, timeoutMs: 30_000 },
  );
  assert.equal(result.code, 0, result.stderr);
  const connection = peer.connections[0]!;
  const start = connection.received[0] as { session: { delegation?: unknown } };
  assert.deepEqual(start.session.delegation, {
    type: 'responses',
    responses: { model: 'gpt-5-mini', tools: [{ type: 'function', name: 'calculator', description: (start.session.delegation as { responses: { tools: Array<{ description: string }> } }).responses.tools[0]!.description, parameters: { type: 'object', properties: { expression: { type: 'string', description: 'e.g. (12.5 * 3) / 4 + sqrt(16)' } }, required: ['expression'] } }] },
  });
  const sent = connection.received.filter((event) => event.type === 'response.item.create') as ResponseItemCreateEvent[];
  assert.equal(sent.length, 1, 'one tool result');
  assert.deepEqual({ ...sent[0]!.item }, { type: 'function_call_output', call_id: 'call_1', output: JSON.stringify({ expression: '6*7', result: 42 }) });
  const order = connection.received.map((event) => event.type).filter((type) => type === 'response.item.create' || type === 'response.create' || type === 'session.close');
  assert.deepEqual(order, ['response.item.create', 'response.create', 'session.close'], 'the result, the request to go on, and only then the close');
  const played = wavData(output);
  assert.ok(played.indexOf(acknowledgementPcm) >= 0, 'the acknowledgement was played');
  assert.ok(played.indexOf(answerPcm) > played.indexOf(acknowledgementPcm), 'and the answer after it');
  assert.match(result.stdout, /^assistant: One moment\.$/m);
  assert.match(result.stdout, /^assistant: Six times seven is forty two\.$/m);
});

test('tools asked for over --protocol live with no --delegate-model: one line saying what is missing, exit 2, before connecting (not a session without them)', async () => {
  const peer = await startLivePeer();
  peers.push(peer);
  const toolsFile = join(ROOT, 'examples', 'weather-tools.mjs');
  for (const [flag, value] of [['--builtin-tools', 'time'], ['--tools', toolsFile], ['--mcp', `${process.execPath} -e 0`], ['--mcp-url', 'http://127.0.0.1:1/mcp']] as const) {
    const result = await runKaiwa(['--url', peer.url, '--protocol', 'live', flag, value, '--no-mic', '--no-speaker', '--text', 'hi', '--once'], { env: { OPENAI_API_KEY: 'sk-test' } });
    assert.equal(result.code, 2, `${flag}: ${result.stderr}`);
    assertNoStackTrace(result.stderr);
    assert.deepEqual(result.stderr.trim().split('\n'), [`kaiwa: ${flag} with --protocol live needs --delegate-model NAME (the Responses model GPT-Live hands tool use to, e.g. gpt-5-mini)`]);
    assert.equal(peer.connections.length, 0, `${flag}: refused before connecting`);
  }
});

test('--delegate-model without --protocol live (GA or beta): one line saying it is GPT-Live\'s, exit 2, before connecting (it was silently ignored)', async () => {
  const server = await startScriptedServer();
  servers.push(server);
  for (const protocol of [[], ['--protocol', 'ga'], ['--protocol', 'beta']]) {
    const result = await runKaiwa(['--url', server.url, ...protocol, '--delegate-model', 'gpt-5-mini', '--no-mic', '--no-speaker', '--text', 'hi', '--once'], { env: { OPENAI_API_KEY: 'sk-test' } });
    assert.equal(result.code, 2, `${protocol.join(' ')}: ${result.stderr}`);
    assertNoStackTrace(result.stderr);
    assert.deepEqual(result.stderr.trim().split('\n'), ['kaiwa: --delegate-model works with --protocol live only (the model GPT-Live hands tool use to; the Realtime API runs tools itself): add --protocol live or drop the flag']);
    assert.equal(result.stdout, '');
  }
  assert.equal(server.connections.length, 0, 'refused before connecting');
});

test('a delegate model kept in the config file is for the GPT-Live runs: a GA run with it answers as usual', async () => {
  const config = join(tempDir(), 'config.json');
  writeFileSync(config, JSON.stringify({ delegateModel: 'gpt-5-mini' }));
  // Offline: kaiwa's own server answers.
  const result = await runKaiwa(['--config', config, '--no-mic', '--no-speaker', '--text', 'hi', '--once'], { env: { OPENAI_API_KEY: '' } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /assistant: You said: hi/);
});
