/**
 * Acceptance: `kaiwa serve --faults SPEC`, each fault as the official clients see it (the
 * `openai` SDK's OpenAIRealtimeWS over wss:, `@openai/agents-realtime` over ws:): what a
 * real outage, expiry, refusal, slow network or rate limit looks like from the app's side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STATUS_CODES, request } from 'node:http';
import { RealtimeAgent } from '@openai/agents-realtime';
import { serve } from '../helpers/serve-run.js';
import { agentClient, openSdkClient, sdkClient, type SdkClient } from '../helpers/sdk-clients.js';

function textTurn(client: SdkClient, text: string): void {
  client.rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  client.rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  client.rt.send({ type: 'response.create' });
}

test('drop-after-events=4: the SDK gets exactly 4 events, then the connection ends without a close frame (1006)', async () => {
  const { server, logLine } = await serve({ tls: true, faults: 'drop-after-events=4' });
  const client = await openSdkClient(server);
  textTurn(client, 'hello');
  await client.waitFor(() => client.closed !== undefined, 'closed');
  assert.equal(client.closed!.code, 1006);
  assert.deepEqual(client.events.map((event) => event.type), ['session.created', 'session.updated', 'conversation.item.added', 'conversation.item.done']);
  assert.match(await logLine(/^fault:/), /^fault: dropped the connection of session sess_\w+ at server event conversation\.item\.done$/);
});

test('drop-mid-response: the response starts streaming and never finishes', async () => {
  const { server } = await serve({ tls: true, faults: 'drop-mid-response' });
  const client = await openSdkClient(server);
  textTurn(client, 'tell me something');
  await client.waitFor(() => client.closed !== undefined, 'closed');
  const seen = client.events.map((event) => event.type);
  assert.equal(client.closed!.code, 1006);
  assert.equal(seen.at(-1), 'response.output_text.delta');
  assert.ok(seen.includes('response.created') && !seen.includes('response.done'));
});

test('drop-after=150ms: an idle session loses its connection (1006) on time', async () => {
  const { server } = await serve({ tls: true, faults: 'drop-after=150ms' });
  const opened = Date.now();
  const client = await openSdkClient(server);
  await client.waitFor(() => client.closed !== undefined, 'closed');
  assert.equal(client.closed!.code, 1006);
  assert.ok(Date.now() - opened >= 140, 'not before its time');
});

test('expire-after=150ms: the service\'s session_expired error, then close 1000', async () => {
  const { server } = await serve({ tls: true, faults: 'expire-after=150ms' });
  const client = await openSdkClient(server);
  await client.waitFor(() => client.closed !== undefined, 'closed');
  assert.deepEqual(client.closed, { code: 1000, reason: 'session expired' });
  const error = client.events.at(-1)!;
  assert.ok(error.type === 'error');
  assert.equal(error.error.code, 'session_expired');
  assert.match(error.error.message, /maximum duration of 60 minutes/);
  assert.equal(client.errors.length, 1, 'the SDK raised it as an error');
});

test('expire-after with the Agents SDK: the session reports the error and disconnects', async () => {
  const { server } = await serve({ faults: 'expire-after=200ms' });
  const agent = await agentClient(server, new RealtimeAgent({ name: 'a', instructions: 'x' }));
  await agent.waitFor(() => agent.transport.status === 'disconnected', 'disconnected');
  assert.ok(agent.raw.some((event) => event.type === 'error' && (event.error as { code?: string }).code === 'session_expired'));
  assert.ok(agent.errors.length >= 1);
});

test('refuse=STATUS: each refused upgrade carries the status, its reason phrase and a JSON error', async () => {
  for (const status of [401, 403, 404, 429, 503]) {
    const { server, stop } = await serve({ faults: `refuse=${status}` });
    const answer = await new Promise<{ status: number; reason: string; body: string }>((resolve, reject) => {
      const req = request(`${server.url.replace(/^ws/, 'http')}/realtime?model=gpt-realtime`, {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
        res.on('end', () => resolve({ status: res.statusCode!, reason: res.statusMessage!, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(answer.status, status);
    assert.equal(answer.reason, STATUS_CODES[status]);
    assert.equal(typeof (JSON.parse(answer.body) as { error: { message: string } }).error.message, 'string');
    await stop();
  }
});

test('refuse=429*1: the SDK\'s first attempt fails with 429, the next one connects', async () => {
  const { server } = await serve({ tls: true, faults: 'refuse=429*1' });
  const refused = sdkClient(server);
  await refused.waitFor(() => refused.errors.length > 0, 'an error');
  assert.match(refused.errors[0]!.message, /429/);
  const client = await openSdkClient(server);
  client.rt.close();
});

test('refuse=503 with the Agents SDK: connect() rejects', async () => {
  const { server } = await serve({ faults: 'refuse=503' });
  await assert.rejects(agentClient(server, new RealtimeAgent({ name: 'a', instructions: 'x' })));
});

test('delay=60ms,jitter=20ms: every event arrives at least 60 ms late and in order', async () => {
  const { server } = await serve({ tls: true, faults: 'delay=60ms,jitter=20ms' });
  const client = await openSdkClient(server);
  const sent = Date.now();
  textTurn(client, 'hello slow network');
  await client.next('session.updated');
  assert.ok(Date.now() - sent >= 59, 'held back');
  const done = await client.next('response.output_text.done');
  assert.ok(done.type === 'response.output_text.done' && done.text === 'You said: hello slow network');
  await client.next('response.done');
  const seen: string[] = client.events.map((event) => event.type);
  const at = (type: string) => seen.indexOf(type);
  assert.ok(at('response.created') < at('response.output_text.delta') && at('response.output_text.done') < at('response.done'));
  assert.deepEqual(client.errors, []);
  client.rt.close();
});

test('rate-limit-error: the first response fails with rate_limit_exceeded, the next one runs', async () => {
  const { server, logLine } = await serve({ tls: true, faults: 'rate-limit-error' });
  const client = await openSdkClient(server);
  textTurn(client, 'hello');
  const failed = await client.next('response.done');
  assert.ok(failed.type === 'response.done');
  assert.equal(failed.response.status, 'failed');
  assert.equal(failed.response.status_details?.error?.code, 'rate_limit_exceeded');
  const limits = await client.next('rate_limits.updated');
  assert.ok(limits.type === 'rate_limits.updated' && limits.rate_limits?.some((limit) => limit.remaining === 0));
  client.rt.send({ type: 'response.create' });
  const done = await client.next('response.done');
  assert.ok(done.type === 'response.done' && done.response.status === 'completed');
  assert.match(await logLine(/^fault:/), /rate-limited a response of session sess_\w+ at client event response\.create/);
  client.rt.close();
});

test('rate-limit-error with the Agents SDK: the turn ends failed, the session stays connected', async () => {
  const { server } = await serve({ faults: 'rate-limit-error' });
  const agent = await agentClient(server, new RealtimeAgent({ name: 'a', instructions: 'x' }));
  try {
    agent.session.sendMessage('hello');
    await agent.waitFor(() => agent.raw.some((event) => event.type === 'response.done'), 'response.done');
    const done = agent.raw.find((event) => event.type === 'response.done') as unknown as { response: { status: string; status_details: { error: { code: string } } } };
    assert.equal(done.response.status, 'failed');
    assert.equal(done.response.status_details.error.code, 'rate_limit_exceeded');
    assert.equal(agent.transport.status, 'connected');
  } finally {
    agent.session.close();
  }
});
