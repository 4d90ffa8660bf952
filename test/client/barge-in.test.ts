import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeSession } from '../../src/client/session.js';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { BargeIn, type PlaybackClock } from '../../src/client/barge-in.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { startScriptedServer, type ScriptedConnection, type ScriptedServer } from '../helpers/scripted-server.js';

const servers: ScriptedServer[] = [];
after(async () => { for (const server of servers) await server.close(); });

const delta = (itemId: string): object => ({ type: 'response.output_audio.delta', event_id: 'e', response_id: 'resp_1', item_id: itemId, output_index: 0, content_index: 0, delta: Buffer.alloc(4800).toString('base64') });

async function setUp(clock: PlaybackClock, interruptResponse?: boolean) {
  let connection!: ScriptedConnection;
  const server = await startScriptedServer({ onConnection: (c) => { connection = c; } });
  servers.push(server);
  const endpoint = resolveEndpoint({ model: 'm', protocol: 'ga', url: server.url, apiKey: 'sk-barge-0000' });
  const session = new RealtimeSession(await WebSocketTransport.connect(endpoint), gaDialect);
  const silenced: string[] = [];
  const bargeIn = new BargeIn(session, clock, (itemId) => silenced.push(itemId));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const detection = { type: 'server_vad', ...(interruptResponse === undefined ? {} : { interrupt_response: interruptResponse }) };
  connection.send({ type: 'session.updated', event_id: 'e0', session: { type: 'realtime', audio: { input: { turn_detection: detection } } } });
  connection.send({ type: 'response.created', event_id: 'e1', response: { id: 'resp_1', status: 'in_progress', output: [] } });
  return { connection, session, silenced, bargeIn };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

test('speech over the assistant silences it and truncates at the ms actually heard', async () => {
  const clock = { audible: true, heardMs: () => 1234.6, receivedMs: () => 3000 };
  const { connection, silenced, session } = await setUp(clock);
  connection.send(delta('item_a'));
  connection.send({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 5000, item_id: 'item_u' });
  await settle();
  assert.deepEqual(silenced, ['item_a']);
  const sent = connection.received.map((event) => event.type);
  assert.deepEqual(sent, ['conversation.item.truncate'], 'server VAD cancels by itself: no response.cancel');
  assert.deepEqual({ ...connection.received[0], event_id: undefined }, { type: 'conversation.item.truncate', item_id: 'item_a', content_index: 0, audio_end_ms: 1234, event_id: undefined });
  await session.close();
});

test('truncation never claims more than was received', async () => {
  const clock = { audible: true, heardMs: () => 900, receivedMs: () => 800 };
  const { connection, session } = await setUp(clock);
  connection.send(delta('item_b'));
  connection.send({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 1, item_id: 'u' });
  await settle();
  assert.equal((connection.received[0] as { audio_end_ms?: number }).audio_end_ms, 800);
  await session.close();
});

test('an item nobody heard yet is deleted, not truncated at 0 ms', async () => {
  const clock = { audible: true, heardMs: () => 0, receivedMs: () => 100 };
  const { connection, session } = await setUp(clock);
  connection.send(delta('item_c'));
  connection.send({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 1, item_id: 'u' });
  await settle();
  assert.deepEqual(connection.received.map((event) => event.type), ['conversation.item.delete']);
  await session.close();
});

test('with interrupt_response off, or by key, the response is cancelled too', async () => {
  const clock = { audible: true, heardMs: () => 500, receivedMs: () => 1000 };
  const { connection, session, bargeIn } = await setUp(clock, false);
  connection.send(delta('item_d'));
  connection.send({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 1, item_id: 'u' });
  await settle();
  assert.deepEqual(connection.received.map((event) => event.type), ['response.cancel', 'conversation.item.truncate']);
  connection.send(delta('item_e'));
  await settle();
  bargeIn.interrupt();
  await settle();
  assert.deepEqual(connection.received.map((event) => event.type).slice(2), ['response.cancel', 'conversation.item.truncate']);
  await session.close();
});

test('speech while the assistant is silent changes nothing', async () => {
  const clock = { audible: false, heardMs: () => 0, receivedMs: () => 0 };
  const { connection, silenced, session } = await setUp(clock);
  connection.send(delta('item_f'));
  connection.send({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 1, item_id: 'u' });
  await settle();
  assert.deepEqual(silenced, []);
  assert.deepEqual(connection.received, []);
  await session.close();
});
