/** The fault-injection hook: drops mid-response and mid-tool-call, expiry, refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector } from '../../src/testing/index.js';
import { connectClient, startTestServer, textSession, userText, types } from '../helpers/server-harness.js';
import { TestClient } from '../helpers/server-client.js';
import { waitFor } from '../helpers/wait-for.js';
import { ToneSynthesizer, fakeSpeech } from '../helpers/server-speech.js';

async function closed(client: TestClient, timeoutMs = 3000): Promise<{ code: number; reason: string }> {
  return waitFor(() => client.closed, { what: 'the socket to close', timeoutMs, everyMs: 10 });
}

test('dropOnServerEvent: the connection ends without a close frame before the 3rd audio delta', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults, speech: fakeSpeech({ synthesizer: new ToneSynthesizer(40, 100, 5) }) });
  const { client } = await connectClient(server);
  const sessionId = faults.sessions()[0]!.id;
  const rule = faults.dropOnServerEvent('response.output_audio.delta', { nth: 3 });
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  client.send(userText('tell me something rather long so that there is plenty of audio'));
  client.send({ type: 'response.create' });
  const report = await rule.fired;
  assert.deepEqual(report, { sessionId, action: 'drop', trigger: 'response.output_audio.delta', direction: 'server', nth: 3 });
  const close = await closed(client);
  assert.equal(close.code, 1006, 'no close frame');
  assert.equal(client.events.filter((event) => event.type === 'response.output_audio.delta').length, 2);
  assert.ok(!types(client.events).includes('response.done'));
  await waitFor(() => faults.sessions().length === 0, { what: 'the server to forget the session', timeoutMs: 3000 });
});

test("dropOnServerEvent with timing 'after': the client gets the function call, then the connection drops", async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults });
  const client = await textSession(server, { tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }] });
  const rule = faults.dropOnServerEvent('response.function_call_arguments.done', { timing: 'after' });
  client.send(userText('call lookup with term cats'));
  client.send({ type: 'response.create' });
  await rule.fired;
  assert.equal((await closed(client)).code, 1006);
  const seen = types(client.events);
  assert.equal(seen.at(-1), 'response.function_call_arguments.done');
  assert.ok(!seen.includes('response.output_item.done') && !seen.includes('response.done'));
});

test('dropOnClientEvent: the tool output never reaches the session', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults });
  const client = await textSession(server);
  faults.dropOnClientEvent((event) => event.type === 'conversation.item.create' && (event.item as { type?: string }).type === 'function_call_output');
  client.send(userText('hello'));
  await client.next('conversation.item.done');
  client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: 'x' } });
  assert.equal((await closed(client)).code, 1006);
  assert.equal(client.events.filter((event) => event.type === 'conversation.item.done').length, 1);
});

test('expire: error session_expired, then a close frame 1000', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults });
  const opened = faults.nextSession();
  const client = await textSession(server);
  const id = await opened;
  assert.equal(faults.expire(id), 1);
  const close = await closed(client);
  assert.deepEqual(close, { code: 1000, reason: 'session expired' });
  const error = client.events.at(-1)!;
  assert.equal(error.type, 'error');
  assert.deepEqual({ ...(error.error as object), message: undefined }, { type: 'invalid_request_error', code: 'session_expired', message: undefined, param: null, event_id: null });
  assert.deepEqual(faults.history.map((report) => report.action), ['expire']);
});

test('expire mid-response (rule): the response stops and no response.done follows the error', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults, speech: fakeSpeech({ synthesizer: new ToneSynthesizer(40, 100, 5) }) });
  const { client } = await connectClient(server);
  faults.dropOnServerEvent('response.output_audio.delta', { nth: 2, action: 'expire', timing: 'after' });
  client.send(userText('a long answer please, with many words in it'));
  client.send({ type: 'response.create' });
  assert.equal((await closed(client)).code, 1000);
  const seen = types(client.events);
  assert.deepEqual(seen.slice(-2), ['response.output_audio.delta', 'error']);
  assert.equal(seen.filter((type) => type === 'response.output_audio.delta').length, 2);
});

test('dropAll and refuseNext: reconnects are refused with 503, then accepted', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults });
  const first = await textSession(server);
  const second = await textSession(server);
  assert.equal(faults.dropAll(), 2);
  assert.equal((await closed(first)).code, 1006);
  assert.equal((await closed(second)).code, 1006);
  faults.refuseNext(1);
  await assert.rejects(TestClient.connect(server.url), /HTTP 503/);
  const third = await textSession(server);
  third.send(userText('still there?'));
  third.send({ type: 'response.create' });
  await third.next('response.done');
  assert.equal(faults.sessions().length, 1);
});

test('a beta session: rules match the wire names', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults, speech: fakeSpeech({ synthesizer: new ToneSynthesizer(40, 100, 5) }) });
  const { client } = await connectClient(server, { headers: { 'OpenAI-Beta': 'realtime=v1' } });
  const rule = faults.dropOnServerEvent('response.audio.delta');
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi there' }] } });
  client.send({ type: 'response.create' });
  assert.equal((await rule.fired).trigger, 'response.audio.delta');
  assert.equal((await closed(client)).code, 1006);
});
