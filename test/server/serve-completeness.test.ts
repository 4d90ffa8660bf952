/**
 * What real apps meet: custom voices `{id}` (spoken by a local voice), the beta dialect's
 * own session and response shapes, and `conversation_id: null` on out-of-band responses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSdkClient } from '../helpers/sdk-clients.js';
import { connectClient, startTestServer, types } from '../helpers/server-harness.js';
import { ToneSynthesizer, fakeSpeech } from '../helpers/server-speech.js';
import { VOICES, localVoice } from '../../src/server/session-state.js';
import type { SynthesisOptions } from '../../src/server/speech/synthesizer.js';
import type { Json } from '../helpers/server-client.js';

class VoiceListener extends ToneSynthesizer {
  readonly voices: string[] = [];
  override synthesize(text: string, options: SynthesisOptions): AsyncIterable<Buffer> {
    this.voices.push(options.voice);
    return super.synthesize(text, options);
  }
}

test('openai SDK: a custom voice {id} is echoed as given and spoken by the same local voice every time', async () => {
  const synthesizer = new VoiceListener(5, 100);
  const server = await startTestServer({ tls: 'self-signed', speech: fakeSpeech({ synthesizer }) });
  const client = await openSdkClient(server);
  client.rt.send({ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: { id: 'voice_1234abcd' } } } } });
  const updated = await client.next('session.updated');
  assert.ok(updated.type === 'session.updated' && updated.session.type === 'realtime');
  assert.deepEqual(updated.session.audio?.output?.voice, { id: 'voice_1234abcd' });
  client.rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'speak up' }] } });
  client.rt.send({ type: 'response.create' });
  const done = await client.next('response.done');
  assert.ok(done.type === 'response.done');
  assert.deepEqual(done.response.audio?.output?.voice, { id: 'voice_1234abcd' });
  assert.ok(client.events.some((event) => event.type === 'response.output_audio.delta'));
  const local = localVoice({ id: 'voice_1234abcd' });
  assert.ok((VOICES as readonly string[]).includes(local));
  assert.deepEqual([...new Set(synthesizer.voices)], [local]);
  client.rt.send({ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: { id: 'voice_other' } } } } });
  const refused = await client.next('error');
  assert.ok(refused.type === 'error' && refused.error.code === 'cannot_update_voice', 'a custom voice is locked like a named one');
  assert.deepEqual(client.errors.length, 1);
  client.rt.close();
});

test('openai SDK: an out-of-band response says conversation_id null; a conversation response names its conversation', async () => {
  const server = await startTestServer({ tls: 'self-signed' });
  const client = await openSdkClient(server);
  client.rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  client.rt.send({ type: 'response.create', response: { conversation: 'none', input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'aside' }] }] } });
  const outOfBand = await client.next('response.done');
  assert.ok(outOfBand.type === 'response.done');
  assert.equal(outOfBand.response.conversation_id, null);
  client.rt.send({ type: 'response.create' });
  const inBand = await client.next('response.done');
  assert.ok(inBand.type === 'response.done');
  assert.match(String(inBand.response.conversation_id), /^conv_/);
  client.rt.close();
});

test('beta: the session names its model and temperature and has no GA-only fields; responses say max_output_tokens', async () => {
  const server = await startTestServer();
  const { client, session } = await connectClient(server, { headers: { 'OpenAI-Beta': 'realtime=v1' } });
  assert.equal(session.model, 'gpt-realtime');
  assert.equal(session.temperature, 0.8);
  for (const field of ['truncation', 'prompt', 'include', 'expires_at', 'type', 'audio', 'output_modalities', 'max_output_tokens']) {
    assert.ok(!(field in session), `no ${field} in a beta session`);
  }
  assert.ok(!('idle_timeout_ms' in (session.turn_detection as Json)));
  assert.equal(session.max_response_output_tokens, 'inf');
  client.send({ type: 'session.update', session: { modalities: ['text'], temperature: 1.1, turn_detection: null } });
  const updated = (await client.next('session.updated')).session as Json;
  assert.equal(updated.temperature, 1.1);
  client.send({ type: 'session.update', session: { temperature: 2 } });
  assert.equal(((await client.next('error')).error as Json).code, 'decimal_above_max_value');
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'beta' }] } });
  client.send({ type: 'response.create', response: { max_response_output_tokens: 300 } });
  const events = await client.until('response.done');
  const response = events.at(-1)!.response as Json;
  assert.equal(response.max_output_tokens, 300);
  assert.ok(!('max_response_output_tokens' in response));
  assert.ok(types(events).includes('response.text.done'));
});
