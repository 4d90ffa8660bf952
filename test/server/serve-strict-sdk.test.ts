/**
 * Acceptance: `kaiwa serve --strict --fail-on-mistakes` against the official clients:
 * each protocol mistake comes back as an `error` naming the offending event_id, each
 * connection ends with a summary line, and the server exits 1 (0 when the client was clean).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeAgent } from '@openai/agents-realtime';
import { serve } from '../helpers/serve-run.js';
import { agentClient, openSdkClient, type SdkClient } from '../helpers/sdk-clients.js';
import { ToneSynthesizer, fakeSpeech } from '../helpers/server-speech.js';

function wav16k(ms: number): Buffer {
  const data = Buffer.alloc((16000 * ms / 1000) * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Sends an event the SDK's types may not allow (that is the point: it is a mistake). */
function send(client: SdkClient, event: Record<string, unknown>): void {
  client.rt.send(event as never);
}

async function errorFor(client: SdkClient, eventId: string): Promise<{ code: string; param: string | null; message: string }> {
  await client.waitFor(() => client.events.some((event) => event.type === 'error' && event.error.event_id === eventId), `an error for ${eventId}`);
  const event = client.events.find((candidate) => candidate.type === 'error' && candidate.error.event_id === eventId)!;
  assert.ok(event.type === 'error');
  return { code: event.error.code ?? '', param: event.error.param ?? null, message: event.error.message };
}

test('openai SDK: every kind of mistake is reported with its event_id, summed up per connection, and fails the run', async () => {
  const running = await serve({ tls: true, strict: true, failOnMistakes: true }, fakeSpeech({ synthesizer: new ToneSynthesizer(20, 100, 5) }));
  const client = await openSdkClient(running.server);
  send(client, { type: 'input_audio_buffer.append', event_id: 'evt_early', audio: Buffer.alloc(4800).toString('base64') });
  assert.equal((await errorFor(client, 'evt_early')).code, 'audio_before_session_configured');
  send(client, { type: 'session.update', event_id: 'evt_config', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  send(client, { type: 'input_audio_buffer.append', event_id: 'evt_odd', audio: Buffer.alloc(4801).toString('base64') });
  assert.equal((await errorFor(client, 'evt_odd')).code, 'invalid_audio_size');
  send(client, { type: 'input_audio_buffer.append', event_id: 'evt_wav', audio: wav16k(100).toString('base64') });
  assert.match((await errorFor(client, 'evt_wav')).message, /WAV file \(16000 Hz\)/);
  send(client, { type: 'input_audio_buffer.clear' });
  send(client, { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello strict world' }] } });
  send(client, { type: 'response.create', event_id: 'evt_first' });
  send(client, { type: 'response.create', event_id: 'evt_second' });
  assert.equal((await errorFor(client, 'evt_second')).code, 'conversation_already_has_active_response');
  const done = await client.next('response.done');
  assert.ok(done.type === 'response.done');
  const itemId = done.response.output?.[0]?.id;
  send(client, { type: 'conversation.item.truncate', event_id: 'evt_truncate', item_id: itemId, content_index: 0, audio_end_ms: 60_000 });
  assert.equal((await errorFor(client, 'evt_truncate')).param, 'audio_end_ms');
  send(client, { type: 'conversation.item.retrieve', event_id: 'evt_retrieve', item_id: 'item_missing' });
  assert.equal((await errorFor(client, 'evt_retrieve')).code, 'item_not_found');
  send(client, { type: 'response.create', event_id: 'evt_toplevel', instructions: 'say hi' });
  assert.deepEqual(await errorFor(client, 'evt_toplevel'), { code: 'unknown_parameter', param: 'instructions', message: "Unknown parameter: 'instructions'." });
  send(client, { type: 'session.update', event_id: 'evt_voice', session: { type: 'realtime', voice: 'alloy' } });
  assert.equal((await errorFor(client, 'evt_voice')).param, 'session.voice');
  client.rt.close();
  const summary = await running.logLine(/^strict: session sess_/);
  assert.equal(summary.replace(/sess_\w+/, 'sess_X'), 'strict: session sess_X: 8 protocol mistakes: '
    + 'input_audio_buffer.append audio before the session was configured ×1, input_audio_buffer.append audio of a wrong size ×1, '
    + 'input_audio_buffer.append audio at a wrong rate ×1, response.create while a response is active ×1, '
    + 'conversation.item.truncate audio_end_ms past the audio sent ×1, conversation.item.retrieve item_id not found ×1, '
    + 'response.create with unknown instructions ×1, session.update with unknown session.voice ×1');
  assert.equal(await running.stop(), 1);
  assert.equal(running.err.at(-1), 'strict: 8 protocol mistakes in 1 of 1 session');
});

test('openai SDK: a clean session is summed up as such and the run passes', async () => {
  const running = await serve({ tls: true, failOnMistakes: true });
  const client = await openSdkClient(running.server);
  send(client, { type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  send(client, { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
  send(client, { type: 'response.create' });
  await client.next('response.done');
  client.rt.close();
  assert.match(await running.logLine(/^strict: session/), /^strict: session sess_\w+: no protocol mistakes$/);
  assert.equal(await running.stop(), 0);
});

test('Agents SDK: its mistakes come back with the event_id it sent, and the agent raises them', async () => {
  const running = await serve({ strict: true });
  const agent = await agentClient(running.server, new RealtimeAgent({ name: 'a', instructions: 'x' }));
  try {
    await agent.waitFor(() => agent.raw.some((event) => event.type === 'session.updated'), 'session.updated');
    agent.transport.sendEvent({ type: 'conversation.item.truncate', event_id: 'evt_agent_truncate', item_id: 'item_missing', content_index: 0, audio_end_ms: 10 });
    agent.transport.sendEvent({ type: 'input_audio_buffer.append', event_id: 'evt_agent_odd', audio: Buffer.alloc(3).toString('base64') });
    await agent.waitFor(() => agent.errors.length >= 2, 'two errors');
    const errors = agent.raw.filter((event) => event.type === 'error').map((event) => event.error as { code: string; event_id: string });
    assert.deepEqual(errors.map((error) => [error.code, error.event_id]), [['item_not_found', 'evt_agent_truncate'], ['invalid_audio_size', 'evt_agent_odd']]);
  } finally {
    agent.session.close();
  }
  assert.match(await running.logLine(/^strict: session/), /: 2 protocol mistakes: conversation\.item\.truncate item_id not found ×1, input_audio_buffer\.append audio of a wrong size ×1$/);
  assert.equal(await running.stop(), 0, 'without --fail-on-mistakes the run passes');
});
