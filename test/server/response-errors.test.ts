/**
 * An error that comes up while a response is answered (a script's error turn) is linked to
 * what started the response, as the service links errors a client event caused: the
 * response.create's event_id when the client asked for it, null when the server's own turn
 * detection did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, startTestServer, textSession, userText } from '../helpers/server-harness.js';
import { silence, tone } from '../helpers/server-speech.js';
import type { Json } from '../helpers/server-client.js';
import { ScriptEngine } from '../../src/server/engines/script-engine.js';
import { parseReplyScript } from '../../src/server/engines/scripted-turns.js';

const failing = () => new ScriptEngine(parseReplyScript({ order: 'match', turns: [{ reply: [{ error: { code: 'overloaded', message: 'Busy.' } }] }] }));

test('an error while answering a response.create carries that event\'s event_id, in and out of the conversation', async () => {
  const server = await startTestServer({ engine: failing() });
  const client = await textSession(server);
  client.send(userText('hello'));
  client.send({ type: 'response.create', event_id: 'evt_ask' });
  const error = (await client.next('error')).error as Json;
  assert.deepEqual([error.code, error.event_id], ['overloaded', 'evt_ask']);
  assert.equal(((await client.next('response.done')).response as Json).status, 'failed');
  client.send({ type: 'response.create', event_id: 'evt_aside', response: { conversation: 'none' } });
  assert.equal(((await client.next('error')).error as Json).event_id, 'evt_aside');
  await client.next('response.done');
  client.send({ type: 'response.create' });
  assert.equal(((await client.next('error')).error as Json).event_id, null, 'a response.create without an event_id');
});

test('an error while answering a turn the server\'s VAD ended has a null event_id', async () => {
  const server = await startTestServer({ engine: failing() });
  const { client } = await connectClient(server);
  client.send({
    type: 'session.update', event_id: 'evt_config',
    session: { type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 300 } } } },
  });
  await client.next('session.updated');
  const pcm = Buffer.concat([silence(300), tone(600), silence(600)]);
  for (let offset = 0; offset < pcm.length; offset += 4800) {
    client.send({ type: 'input_audio_buffer.append', event_id: `evt_append_${offset}`, audio: pcm.subarray(offset, offset + 4800).toString('base64') });
  }
  await client.next('input_audio_buffer.committed');
  await client.next('response.created');
  const error = (await client.next('error')).error as Json;
  assert.deepEqual([error.code, error.event_id], ['overloaded', null]);
});
