/**
 * `kaiwa serve --strict`: the per-connection summary names each mistake as a developer
 * looks for it, by the event type, the field's path and what was wrong with it
 * (`session.update session.temperature below 0.6`), not by the error code the service
 * sends; the same mistake made twice is one entry counted ×2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, startTestServer } from '../helpers/server-harness.js';
import type { Json, TestClient } from '../helpers/server-client.js';
import { MistakeLedger } from '../../src/server/strict/client-mistakes.js';

async function errorOf(client: TestClient, event: Json): Promise<Json> {
  const eventId = `evt_${client.events.length}`;
  client.send({ ...event, event_id: eventId });
  const error = await client.nextMatching((candidate) => candidate.type === 'error' && (candidate.error as Json).event_id === eventId, `the error for ${eventId}`);
  return error.error as Json;
}

test('under --strict, the summary names each mistake by event type, field path and what was wrong, not by error code', async () => {
  let summary: (line: string) => void = () => undefined;
  const printed = new Promise<string>((resolve) => { summary = resolve; });
  const server = await startTestServer({ strict: new MistakeLedger((line) => summary(line)) });
  const { client } = await connectClient(server);
  const sent: Array<[Json, string]> = [
    [{ type: 'session.update', session: { type: 'realtime', temperature: 0.2 } }, 'decimal_below_min_value'],
    [{ type: 'session.update', session: { type: 'realtime', instructions: 5 } }, 'invalid_type'],
    [{ type: 'session.update', session: { type: 'realtime', instructions: 6 } }, 'invalid_type'],
    [{ type: 'session.update', session: { type: 'realtime', voice: 'alloy' } }, 'unknown_parameter'],
    [{ type: 'response.create', instructions: 'say hi' }, 'unknown_parameter'],
    [{ type: 'conversation.item.truncate', item_id: 'item_x', content_index: 0, audio_end_ms: -1 }, 'decimal_below_min_value'],
    [{ type: 'conversation.item.delete', item_id: 'item_missing' }, 'item_not_found'],
    [{ type: 'response.cancel' }, 'response_cancel_not_active'],
    [{ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'nobody' } } } }, 'invalid_value'],
  ];
  for (const [event, code] of sent) assert.equal((await errorOf(client, event)).code, code, JSON.stringify(event));
  client.send({ type: 'no.such.event', event_id: 'evt_unknown_type' });
  await client.nextMatching((event) => event.type === 'error' && (event.error as Json).event_id === 'evt_unknown_type', 'the unknown type\'s error');
  await client.close();
  assert.equal((await printed).replace(/sess_\w+/, 'sess_X'), 'strict: session sess_X: 10 protocol mistakes: '
    + 'session.update session.temperature below 0.6 ×1, session.update session.instructions not a string ×2, '
    + 'session.update with unknown session.voice ×1, response.create with unknown instructions ×1, '
    + 'conversation.item.truncate audio_end_ms below 0 ×1, conversation.item.delete item_id not found ×1, '
    + 'response.cancel with no active response ×1, session.update session.audio.output.voice not a supported value ×1, '
    + 'an event of unknown type no.such.event ×1');
});
