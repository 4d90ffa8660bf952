/**
 * Acceptance: the official `openai` package's realtime WebSocket client (which only speaks
 * wss:) completes the basic flows against `kaiwa serve` with a self-signed certificate.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { startTestServer } from '../helpers/server-harness.js';
import { FixedTranscriber, ToneSynthesizer, fakeSpeech, silence, spokenPcm } from '../helpers/server-speech.js';
import { loadSpeechParts } from '../../src/server/speech-parts.js';
import type { RealtimeServer } from '../../src/server/realtime-server.js';

type Event = RealtimeServerEvent;

/** Opens the SDK client on the test server and records every event it parses. */
async function sdkClient(server: RealtimeServer): Promise<{ rt: OpenAIRealtimeWS; events: Event[]; next: (type: string) => Promise<Event> }> {
  const openai = new OpenAI({ apiKey: 'sk-test-local', baseURL: server.url.replace(/^wss:/, 'https:') });
  const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: server.certificate } }, openai);
  const events: Event[] = [];
  let cursor = 0;
  let wake: (() => void) | undefined;
  rt.on('event', (event) => {
    events.push(event);
    wake?.();
  });
  rt.on('error', (error) => events.push({ type: 'error', event_id: 'local', error: { type: 'client', message: String(error.message) } }));
  await new Promise<void>((resolve, reject) => {
    rt.socket.once('open', () => resolve());
    rt.socket.once('error', reject);
  });
  const next = async (type: string): Promise<Event> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      while (cursor < events.length) {
        const event = events[cursor++]!;
        if (event.type === type) return event;
      }
      if (Date.now() > deadline) throw new Error(`no ${type}; got ${events.map((e) => e.type).join(', ')}`);
      // Woken by the next event, or at the deadline.
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
    }
  };
  return { rt, events, next };
}

async function withSdk(server: RealtimeServer, run: (client: Awaited<ReturnType<typeof sdkClient>>) => Promise<void>): Promise<void> {
  const client = await sdkClient(server);
  try {
    await client.next('session.created');
    await run(client);
    assert.ok(!client.events.some((event) => event.type === 'error'), `no errors: ${JSON.stringify(client.events.filter((e) => e.type === 'error'))}`);
  } finally {
    client.rt.close();
  }
}

test('openai SDK: a text turn', async () => {
  const server = await startTestServer({ tls: 'self-signed' });
  await withSdk(server, async ({ rt, next }) => {
    rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
    await next('session.updated');
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello sdk' }] } });
    rt.send({ type: 'response.create' });
    const done = await next('response.output_text.done');
    assert.equal(done.type === 'response.output_text.done' && done.text, 'You said: hello sdk');
    await next('response.done');
  });
});

test('openai SDK: an audio turn driven by server VAD on real speech', async () => {
  const installed = await loadSpeechParts();
  after(() => installed.close?.());
  const server = await startTestServer({ tls: 'self-signed', speech: { ...installed, transcriber: new FixedTranscriber(), recognizer: undefined } });
  await withSdk(server, async ({ rt, next, events }) => {
    rt.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: { type: 'server_vad', silence_duration_ms: 300 } } } },
    });
    await next('session.updated');
    const pcm = Buffer.concat([silence(500), spokenPcm('Hello, can you hear me?'), silence(1000)]);
    for (let offset = 0; offset < pcm.length; offset += 4800) {
      rt.send({ type: 'input_audio_buffer.append', audio: pcm.subarray(offset, offset + 4800).toString('base64') });
    }
    await next('input_audio_buffer.speech_started');
    await next('input_audio_buffer.speech_stopped');
    await next('input_audio_buffer.committed');
    const done = await next('response.done');
    assert.equal(done.type === 'response.done' && done.response.status, 'completed');
    assert.ok(events.some((event) => event.type === 'response.output_audio.delta'));
    assert.ok(events.some((event) => event.type === 'conversation.item.input_audio_transcription.completed'));
  });
});

test('openai SDK: a function call round trip', async () => {
  const server = await startTestServer({ tls: 'self-signed' });
  await withSdk(server, async ({ rt, next }) => {
    rt.send({
      type: 'session.update',
      session: { type: 'realtime', output_modalities: ['text'], tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }] },
    });
    await next('session.updated');
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'call lookup with term cats' }] } });
    rt.send({ type: 'response.create' });
    const call = await next('response.function_call_arguments.done');
    assert.ok(call.type === 'response.function_call_arguments.done');
    assert.deepEqual(JSON.parse(call.arguments), { term: 'cats' });
    await next('response.done');
    rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: 'found 3 cats' } });
    rt.send({ type: 'response.create' });
    const text = await next('response.output_text.done');
    assert.equal(text.type === 'response.output_text.done' && text.text, 'The lookup tool returned: found 3 cats');
  });
});

test('openai SDK: cancel', async () => {
  const server = await startTestServer({ tls: 'self-signed', speech: fakeSpeech({ synthesizer: new ToneSynthesizer(40, 100, 10) }) });
  await withSdk(server, async ({ rt, next }) => {
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'talk for a long while so I can cancel you' }] } });
    rt.send({ type: 'response.create' });
    await next('response.output_audio.delta');
    rt.send({ type: 'response.cancel' });
    const done = await next('response.done');
    assert.equal(done.type === 'response.done' && done.response.status, 'cancelled');
  });
});
