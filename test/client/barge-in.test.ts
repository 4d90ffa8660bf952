import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeSession } from '../../src/client/session.js';
import { BargeIn, type PlaybackClock } from '../../src/client/barge-in.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { InMemoryTransport } from '../helpers/in-memory-transport.js';

const delta = (itemId: string): object => ({ type: 'response.output_audio.delta', event_id: 'e', response_id: 'resp_1', item_id: itemId, output_index: 0, content_index: 0, delta: Buffer.alloc(4800).toString('base64') });

/** A session on an in-memory transport: what the server delivers is handled before deliver() returns. */
function setUp(clock: PlaybackClock, interruptResponse?: boolean) {
  const connection = new InMemoryTransport();
  const session = new RealtimeSession(connection, gaDialect);
  const silenced: string[] = [];
  const bargeIn = new BargeIn(session, clock, (itemId) => silenced.push(itemId));
  const detection = { type: 'server_vad', ...(interruptResponse === undefined ? {} : { interrupt_response: interruptResponse }) };
  connection.deliver({ type: 'session.updated', event_id: 'e0', session: { type: 'realtime', audio: { input: { turn_detection: detection } } } });
  connection.deliver({ type: 'response.created', event_id: 'e1', response: { id: 'resp_1', status: 'in_progress', output: [] } });
  return { connection, session, silenced, bargeIn };
}

test('speech over the assistant silences it and truncates at the ms actually heard', async () => {
  const clock = { audible: true, heardMs: () => 1234.6, receivedMs: () => 3000 };
  const { connection, silenced, session } = setUp(clock);
  connection.deliver(delta('item_a'));
  connection.deliver({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 5000, item_id: 'item_u' });
  assert.deepEqual(silenced, ['item_a']);
  const sent = connection.received.map((event) => event.type);
  assert.deepEqual(sent, ['conversation.item.truncate'], 'server VAD cancels by itself: no response.cancel');
  assert.deepEqual({ ...connection.received[0], event_id: undefined }, { type: 'conversation.item.truncate', item_id: 'item_a', content_index: 0, audio_end_ms: 1234, event_id: undefined });
  await session.close();
});

test('truncation never claims more than was received', async () => {
  const clock = { audible: true, heardMs: () => 900, receivedMs: () => 800 };
  const { connection, session } = setUp(clock);
  connection.deliver(delta('item_b'));
  connection.deliver({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 1, item_id: 'u' });
  assert.equal((connection.received[0] as { audio_end_ms?: number }).audio_end_ms, 800);
  await session.close();
});

test('an item nobody heard yet is deleted, not truncated at 0 ms', async () => {
  const clock = { audible: true, heardMs: () => 0, receivedMs: () => 100 };
  const { connection, session } = setUp(clock);
  connection.deliver(delta('item_c'));
  connection.deliver({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 1, item_id: 'u' });
  assert.deepEqual(connection.received.map((event) => event.type), ['conversation.item.delete']);
  await session.close();
});

test('with interrupt_response off, or by key, the response is cancelled too', async () => {
  const clock = { audible: true, heardMs: () => 500, receivedMs: () => 1000 };
  const { connection, session, bargeIn } = setUp(clock, false);
  connection.deliver(delta('item_d'));
  connection.deliver({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 1, item_id: 'u' });
  assert.deepEqual(connection.received.map((event) => event.type), ['response.cancel', 'conversation.item.truncate']);
  connection.deliver(delta('item_e'));
  bargeIn.interrupt();
  assert.deepEqual(connection.received.map((event) => event.type).slice(2), ['response.cancel', 'conversation.item.truncate']);
  await session.close();
});

test('speech while the assistant is silent changes nothing', async () => {
  const clock = { audible: false, heardMs: () => 0, receivedMs: () => 0 };
  const { connection, silenced, session } = setUp(clock);
  connection.deliver(delta('item_f'));
  connection.deliver({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 1, item_id: 'u' });
  assert.deepEqual(silenced, []);
  assert.deepEqual(connection.received, []);
  await session.close();
});
