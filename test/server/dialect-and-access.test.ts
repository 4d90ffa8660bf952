import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startRealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { MistakeLedger } from '../../src/server/strict/client-mistakes.js';
import { connectClient, startTestServer, types } from '../helpers/server-harness.js';
import { TestClient, type ConnectOptions, type Json } from '../helpers/server-client.js';
import { waitFor } from '../helpers/wait-for.js';

test('the beta dialect (OpenAI-Beta header) gets beta event names and flat session fields', async () => {
  const server = await startTestServer();
  const { client, session } = await connectClient(server, { headers: { 'OpenAI-Beta': 'realtime=v1' } });
  assert.equal(session.input_audio_format, 'pcm16');
  assert.ok(!('audio' in session));
  client.send({ type: 'session.update', session: { modalities: ['text'], turn_detection: null, temperature: 0.8 } });
  const updated = (await client.next('session.updated')).session as Json;
  assert.deepEqual(updated.modalities, ['text']);
  assert.equal(updated.turn_detection, null);
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'beta hello' }] } });
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  const names = types(events);
  assert.ok(names.includes('conversation.item.created'));
  assert.ok(names.includes('response.text.delta'));
  assert.ok(names.includes('response.text.done'));
  assert.ok(!names.includes('conversation.item.added') && !names.includes('conversation.item.done'));
  assert.ok(!names.some((name) => name.startsWith('response.output_text')));
  const item = events.find((event) => event.type === 'response.output_item.done')!.item as { content: Json[] };
  assert.equal(item.content[0]!.type, 'text');
});

test('the beta subprotocol selects the beta dialect and the server answers with realtime', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server, { protocols: ['realtime', 'openai-beta.realtime-v1'] });
  assert.equal(client.ws.protocol, 'realtime');
  assert.equal(client.events[0]!.session && 'input_audio_format' in (client.events[0]!.session as Json), true);
});

test('without a header the session speaks GA', async () => {
  const server = await startTestServer();
  const { session } = await connectClient(server);
  assert.ok('audio' in session);
});

test('other paths are 404 and plain HTTP on the realtime path asks for an upgrade', async () => {
  const server = await startTestServer();
  await assert.rejects(TestClient.connect(server.url, { path: '/elsewhere' }), /HTTP 404/);
  const http = server.url.replace(/^ws/, 'http');
  assert.equal((await fetch(`${http}/realtime`)).status, 426);
  const missing = await fetch(`${http.replace(/\/v1$/, '')}/realtime`);
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { error: { message: string } }).error.message, /is \/v1 missing from the base URL\?/);
});

test('with a token, a client must present it as Bearer, api-key or key subprotocol', async () => {
  const server = await startTestServer({ token: 'sekret-token' });
  await assert.rejects(TestClient.connect(server.url), /HTTP 401/);
  await assert.rejects(TestClient.connect(server.url, { headers: { Authorization: 'Bearer wrong' } }), /HTTP 401/);
  const accepted: ConnectOptions[] = [
    { headers: { Authorization: 'Bearer sekret-token' } },
    { headers: { 'api-key': 'sekret-token' } },
    { protocols: ['realtime', 'openai-insecure-api-key.sekret-token'] },
  ];
  for (const options of accepted) {
    const { client } = await connectClient(server, options);
    if (options.protocols) assert.equal(client.ws.protocol, 'realtime');
    await client.close();
  }
});

test('listening beyond loopback without a token refuses to start with one line', async () => {
  await assert.rejects(
    startRealtimeServer({ host: '0.0.0.0', port: 0, engine: new EchoEngine() }),
    (error: Error) => /without --token/.test(error.message) && !error.message.includes('\n'),
  );
});

test('maxSessions refuses extra sessions until one ends', async () => {
  const server = await startTestServer({ maxSessions: 1 });
  const { client } = await connectClient(server);
  await assert.rejects(TestClient.connect(server.url), /HTTP 503/);
  await client.close();
  // The server frees the slot once it has seen the close: a connect succeeds again (until a deadline).
  const again = await waitFor(() => TestClient.connect(server.url).catch(() => undefined), { what: 'the freed session slot', timeoutMs: 5000 });
  await again.close();
});

test('many sessions run at once, each with its own conversation', async () => {
  const server = await startTestServer();
  const clients = await Promise.all(Array.from({ length: 20 }, () => connectClient(server)));
  await Promise.all(clients.map(async ({ client }, index) => {
    client.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: null } } } });
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `number ${index}` }] } });
    client.send({ type: 'response.create' });
    const events = await client.until('response.done');
    const text = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
    assert.equal(text, `You said: number ${index}`);
  }));
});

test('messages over the payload limit close that socket only', async () => {
  const server = await startTestServer({ maxPayloadBytes: 1024 });
  const { client } = await connectClient(server);
  const { client: other } = await connectClient(server);
  client.sendRaw('x'.repeat(4096));
  await new Promise<void>((resolve) => client.ws.once('close', () => resolve()));
  assert.equal(client.closed?.code, 1009);
  assert.equal(other.ws.readyState, WebSocket.OPEN);
});

test('--strict counts a message over the payload limit as the client\'s protocol mistake', async () => {
  const lines: string[] = [];
  const strict = new MistakeLedger((line) => lines.push(line));
  const server = await startTestServer({ maxPayloadBytes: 1024, strict });
  const { client } = await connectClient(server);
  client.sendRaw('x'.repeat(4096));
  await waitFor(() => lines.length > 0, { what: 'the session\'s strict line' });
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^strict: session \S+: 1 protocol mistake: a message over 1024 bytes \(closed with 1009\) ×1$/);
  assert.equal(strict.total, 1);
});

test('close() ends sessions with 1001', async () => {
  const server = await startRealtimeServer({ port: 0, engine: new EchoEngine() });
  const client = await TestClient.connect(server.url);
  await client.next('session.created');
  await server.close();
  await waitFor(() => client.closed, { what: 'the client to see the close' });
  assert.equal(client.closed?.code, 1001);
});

test('self-signed TLS serves wss: to clients that trust the certificate', async () => {
  const server = await startTestServer({ tls: 'self-signed' });
  assert.match(server.url, /^wss:\/\/127\.0\.0\.1:\d+\/v1$/);
  assert.match(server.certificate ?? '', /BEGIN CERTIFICATE/);
  const { session } = await connectClient(server);
  assert.equal(session.object, 'realtime.session');
  await assert.rejects(TestClient.connect(server.url, { ca: undefined }));
});
