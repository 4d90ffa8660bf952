/**
 * `kaiwa serve --replay` of a cassette recorded from a script: the ids the script fixed
 * (`call_script1`, or a `call_id` it gives) are handed out as recorded, as the script
 * itself would hand them out again; ids the server made up at random are fresh, as the
 * service's are on every run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { serve } from '../../helpers/serve-run.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { TestClient, type Json } from '../../helpers/server-client.js';
import { freshIdLike } from '../../../src/server/replay/id-map.js';

const SCRIPT = {
  order: 'sequence',
  turns: [
    { match: 'weather', reply: [{ call: 'get_weather', arguments: { city: 'Paris' } }] },
    { after_tool: 'get_weather', reply: [{ call: 'get_time', arguments: {}, call_id: 'call_clock' }] },
    { after_tool: 'get_time', reply: 'It is {output} in Paris.' },
  ],
  default: 'Sorry.',
};

interface Seen { callIds: string[]; responseIds: string[]; text: string }

/** Asks for the weather, answers both calls the script makes; returns the ids it was given. */
async function conversation(url: string): Promise<Seen> {
  const client = await TestClient.connect(url);
  try {
    await client.next('session.created');
    client.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: null } } } });
    await client.next('session.updated');
    client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'weather please' }] } });
    client.send({ type: 'response.create' });
    const seen: Seen = { callIds: [], responseIds: [], text: '' };
    for (const output of ['sunny', 'noon']) {
      const call = await client.next('response.function_call_arguments.done');
      seen.callIds.push(String(call.call_id));
      seen.responseIds.push(String(((await client.next('response.done')).response as Json).id));
      client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output } });
      client.send({ type: 'response.create' });
    }
    seen.text = String((await client.next('response.output_text.done')).text);
    await client.next('response.done');
    return seen;
  } finally {
    await client.close();
  }
}

test('a replayed script cassette hands out the call ids the script fixed, and fresh server-made ids', async () => {
  const dir = tempDir();
  const script = join(dir, 'script.json');
  writeFileSync(script, JSON.stringify(SCRIPT));
  const cassette = join(dir, 'cassette');
  const recording = await serve({ script, record: cassette });
  const recorded = await conversation(recording.server.url);
  assert.equal(await recording.stop(), 0);
  assert.deepEqual(recorded.callIds, ['call_script1', 'call_clock']);

  const replay = await serve({ replay: cassette, failOnMistakes: true });
  const replayed = await conversation(replay.server.url);
  assert.deepEqual(replayed.callIds, ['call_script1', 'call_clock'], 'the recorded call ids');
  assert.equal(replayed.text, 'It is noon in Paris.');
  for (const [index, id] of replayed.responseIds.entries()) {
    assert.match(id, /^resp_[A-Za-z0-9]{21}$/);
    assert.notEqual(id, recorded.responseIds[index], 'a response id the server made up is fresh');
  }
  assert.match(await replay.logLine(/^replay: session /), /all \d+ steps as recorded$/);
  assert.equal(await replay.stop(), 0);
});

test('freshIdLike: a made-up id gets a fresh one of its shape; an id someone chose stays', () => {
  for (const made of ['item_BJhGb0hFPrAsSMh9dbkbb', 'call_oCmDLRcZ3g7ENMTE', 'resp_CAbc123DEFghi456JKLmn']) {
    const fresh = freshIdLike(made);
    assert.notEqual(fresh, made);
    assert.equal(fresh.split('_')[0], made.split('_')[0]);
    assert.equal(fresh.length, made.length);
  }
  for (const chosen of ['call_script1', 'call_clock', 'item_user_1', 'call_lookup-cats', 'root']) assert.equal(freshIdLike(chosen), chosen);
});
