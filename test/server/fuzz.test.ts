/**
 * Robustness: a seeded stream of random and malformed events (random JSON, real event
 * types with random fields, huge strings within the payload limit, binary frames) must
 * only ever produce `error` events: the connection stays open, the server keeps serving,
 * and memory stays bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import WebSocket from 'ws';
import { CLIENT_EVENT_TYPES } from '../../src/server/server-session.js';
import { connectClient, startTestServer, userText } from '../helpers/server-harness.js';
import type { TestClient } from '../helpers/server-client.js';
import { seededRandom } from '../helpers/audio-signals.js';

const MESSAGES = 1500;

const random = seededRandom;

const KEYS = ['type', 'session', 'item', 'audio', 'item_id', 'response', 'previous_item_id', 'content_index', 'audio_end_ms',
  'event_id', 'response_id', 'instructions', 'tools', 'content', 'role', 'format', 'turn_detection', 'input', 'conversation'];

function value(next: () => number, depth = 0): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0: return null;
    case 1: return next() < 0.5;
    case 2: return Math.floor(next() * 2 ** 40) * (next() < 0.3 ? -1 : 1);
    case 3: return next() * 1e6;
    case 4: return randomString(next, Math.floor(next() * 40));
    case 5: return ['realtime', 'message', 'user', 'assistant', 'function_call', 'input_audio', 'audio/pcm', 'auto', 'none', 'root', 'AAAA', ''][Math.floor(next() * 12)];
    case 6: return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    default: return object(next, depth + 1);
  }
}

function object(next: () => number, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 5); i > 0; i--) result[KEYS[Math.floor(next() * KEYS.length)]!] = value(next, depth);
  return result;
}

function randomString(next: () => number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(Math.floor(next() * 0x2fff));
  return text;
}

/** One fuzz message: what to send and whether it is certainly invalid (so it must get an error). */
function message(next: () => number, index: number): { data: string | Buffer; binary: boolean; mustError: boolean } {
  const kind = index % 7;
  if (kind === 0) return { data: Buffer.from(Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256))), binary: true, mustError: true };
  if (kind === 1) return { data: JSON.stringify(value(next)).replace(/^\{/, '[') || 'null', binary: false, mustError: true };
  if (kind === 2) return { data: `{"type": ${randomString(next, 8).length}, ${randomString(next, 10)}`, binary: false, mustError: true };
  if (kind === 3) return { data: JSON.stringify({ type: `fuzz.${Math.floor(next() * 1000)}`, event_id: `evt_${index}` }), binary: false, mustError: true };
  if (kind === 4 && index % 100 === 4) {
    // Big but within the payload limit: a long instructions string and a long junk audio string.
    const huge = 'x'.repeat(200_000 + Math.floor(next() * 100_000));
    return { data: JSON.stringify(next() < 0.5 ? { type: 'session.update', session: { type: 'realtime', instructions: huge, voice: 3 } } : { type: 'input_audio_buffer.append', audio: `${huge}!` }), binary: false, mustError: true };
  }
  const type = CLIENT_EVENT_TYPES[Math.floor(next() * CLIENT_EVENT_TYPES.length)]!;
  return { data: JSON.stringify({ ...object(next, 0), type }), binary: false, mustError: false };
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function sentinel(client: TestClient, id: string): Promise<void> {
  client.send({ type: 'conversation.item.retrieve', item_id: 'item_sentinel', event_id: id });
  await client.nextMatching((event) => event.type === 'error' && (event.error as { event_id?: string }).event_id === id, id, 30_000);
}

test(`${MESSAGES} random and malformed events get error events, and the server stays up with bounded memory`, async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  await sentinel(client, 'evt_warmup');
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const next = random(20261125);
  let mustError = 0;
  for (let i = 0; i < MESSAGES; i++) {
    const { data, binary, mustError: invalid } = message(next, i);
    if (invalid) mustError++;
    client.sendRaw(data, binary);
    if (i % 100 === 99) await sentinel(client, `evt_sentinel_${i}`);
  }
  await sentinel(client, 'evt_final');
  const errors = client.events.filter((event) => event.type === 'error');
  assert.ok(errors.length >= mustError, `${errors.length} errors for ${mustError} certainly invalid messages`);
  assert.ok(errors.every((event) => typeof (event.error as { message?: unknown }).message === 'string'));
  assert.ok(!errors.some((event) => (event.error as { type?: string }).type === 'server_error'), 'no internal errors');
  assert.equal(client.ws.readyState, WebSocket.OPEN);

  // The same session still works, and so does a new one.
  client.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  const { client: fresh } = await connectClient(server);
  fresh.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  fresh.send(userText('still alive'));
  fresh.send({ type: 'response.create' });
  const done = await fresh.next('response.done');
  assert.equal((done.response as { status: string }).status, 'completed');

  await client.close();
  collectGarbage();
  const growth = process.memoryUsage().heapUsed - heapBefore;
  assert.ok(growth < 64 * 1024 * 1024, `heap grew by ${(growth / 1048576).toFixed(1)} MiB`);
});
