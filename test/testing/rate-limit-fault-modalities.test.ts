/**
 * A response failed by the rate-limit fault says the modalities a normal response of that
 * session would: the session's own (text in a text-only session), or the request's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultInjector } from '../../src/testing/index.js';
import { connectClient, startTestServer, textSession, userText } from '../helpers/server-harness.js';
import { TestClient, type Json } from '../helpers/server-client.js';

/** The rate-limited response.done's response; its response.created says the same modalities. */
async function failedResponse(client: TestClient, request: Json = { type: 'response.create' }): Promise<Json> {
  client.send(request);
  const created = (await client.next('response.created')).response as Json;
  const done = (await client.next('response.done')).response as Json;
  assert.equal(done.status, 'failed');
  assert.deepEqual(created.output_modalities ?? created.modalities, done.output_modalities ?? done.modalities);
  return done;
}

test('in a text-only session the rate-limited response is text, like the one that runs after it', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults });
  faults.rateLimitResponses();
  const client = await textSession(server);
  client.send(userText('hello'));
  const failed = await failedResponse(client);
  assert.deepEqual(failed.output_modalities, ['text']);
  client.send({ type: 'response.create' });
  const done = (await client.next('response.done')).response as Json;
  assert.equal(done.status, 'completed');
  assert.deepEqual(failed.output_modalities, done.output_modalities);
});

test('the session after a later session.update, and a request that asks for audio, are followed too', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults });
  faults.rateLimitResponses({ nth: 1, times: Infinity });
  const { client } = await connectClient(server);
  // The default session answers with audio; then the app makes it text-only.
  client.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  const failed = await failedResponse(client, { type: 'response.create', response: { output_modalities: ['audio'] } });
  assert.deepEqual(failed.output_modalities, ['audio'], 'the request wins over the session');
  const second = await TestClient.connect(server.url);
  await second.next('session.created');
  try {
    assert.deepEqual((await failedResponse(second)).output_modalities, ['audio'], 'a default session answers with audio');
  } finally {
    await second.close();
  }
});

test('a beta client in a text session sees modalities ["text"]', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults });
  faults.rateLimitResponses();
  const { client } = await connectClient(server, { headers: { 'OpenAI-Beta': 'realtime=v1' } });
  client.send({ type: 'session.update', session: { modalities: ['text'], turn_detection: null } });
  await client.next('session.updated');
  assert.deepEqual((await failedResponse(client)).modalities, ['text']);
});
