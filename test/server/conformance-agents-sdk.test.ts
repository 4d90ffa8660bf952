/**
 * Acceptance: `@openai/agents-realtime`'s RealtimeSession over its WebSocket transport, with
 * a custom `url`, completes the basic flows against `kaiwa serve`. That client silently
 * drops events failing its schemas, so each flow also checks that what the server sent
 * arrived as the client's own events (audio chunks, finished turns).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession, type RealtimeItem } from '@openai/agents-realtime';
import { agentWeatherTool } from '../helpers/sdk-clients.js';
import { startTestServer } from '../helpers/server-harness.js';
import { FixedTranscriber, ToneSynthesizer, fakeSpeech, silence, spokenPcm } from '../helpers/server-speech.js';
import { loadSpeechParts } from '../../src/server/speech-parts.js';
import type { RealtimeServer } from '../../src/server/realtime-server.js';
import { waitFor as waitUntil } from '../helpers/wait-for.js';

interface Recorder {
  session: RealtimeSession;
  transport: OpenAIRealtimeWebSocket;
  raw: Array<{ type: string; [key: string]: unknown }>;
  accepted: Map<string, number>;
  audioEvents: number;
  turnsDone: number;
  errors: unknown[];
  waitFor: (check: () => boolean, label: string, timeoutMs?: number) => Promise<void>;
}

async function agentSession(server: RealtimeServer, agent: RealtimeAgent): Promise<Recorder> {
  const transport = new OpenAIRealtimeWebSocket({ url: `${server.url}/realtime?model=gpt-realtime` });
  const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime' });
  const recorder: Recorder = {
    session, transport, raw: [], accepted: new Map(), audioEvents: 0, turnsDone: 0, errors: [],
    waitFor: (check, label, timeoutMs = 8000) => waitUntil(check, { what: label, timeoutMs })
      .then(() => undefined, () => { throw new Error(`timed out: ${label}; saw ${recorder.raw.map((e) => e.type).slice(-12).join(', ')}`); }),
  };
  transport.on('*', (event: { type: string }) => recorder.raw.push(event));
  // The transport re-emits each event under its type only when it passed the client's schema.
  for (const type of CHECKED_TYPES) transport.on(type as 'audio', () => recorder.accepted.set(type, (recorder.accepted.get(type) ?? 0) + 1));
  transport.on('audio', () => recorder.audioEvents++);
  transport.on('turn_done', () => recorder.turnsDone++);
  session.on('error', (error) => recorder.errors.push(error));
  await session.connect({ apiKey: 'sk-test-local' });
  return recorder;
}

function count(recorder: Recorder, type: string): number {
  return recorder.raw.filter((event) => event.type === type).length;
}

function assistantTexts(history: RealtimeItem[]): string[] {
  return history.flatMap((item) => item.type === 'message' && item.role === 'assistant'
    ? item.content.map((part) => ('transcript' in part ? part.transcript : 'text' in part ? part.text : '') ?? '') : []);
}

const CHECKED_TYPES = [
  'session.created', 'session.updated', 'conversation.item.added', 'conversation.item.done', 'conversation.item.retrieved',
  'conversation.item.truncated', 'conversation.item.deleted', 'conversation.item.input_audio_transcription.completed',
  'conversation.item.input_audio_transcription.delta', 'input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed', 'input_audio_buffer.cleared', 'response.created', 'response.done', 'response.output_item.added',
  'response.output_item.done', 'response.content_part.added', 'response.content_part.done', 'response.output_audio.delta',
  'response.output_audio.done', 'response.output_audio_transcript.delta', 'response.output_audio_transcript.done',
  'response.output_text.delta', 'response.output_text.done', 'response.function_call_arguments.delta',
  'response.function_call_arguments.done', 'rate_limits.updated',
];

function assertNothingDropped(recorder: Recorder): void {
  for (const type of CHECKED_TYPES) {
    assert.equal(recorder.accepted.get(type) ?? 0, count(recorder, type), `every ${type} passed the client's schema`);
  }
  assert.deepEqual(recorder.errors, []);
  assert.equal(count(recorder, 'error'), 0, JSON.stringify(recorder.raw.filter((event) => event.type === 'error')));
  assert.equal(recorder.audioEvents, count(recorder, 'response.output_audio.delta'), 'every audio delta passed the client schema');
  assert.equal(recorder.turnsDone, count(recorder, 'response.done'), 'every response.done passed the client schema');
}

test('agents SDK: a text turn', async () => {
  const server = await startTestServer();
  const recorder = await agentSession(server, new RealtimeAgent({ name: 'echo', instructions: 'Repeat.' }));
  try {
    recorder.session.sendMessage('hello agents');
    await recorder.waitFor(() => recorder.turnsDone >= 1 && assistantTexts(recorder.session.history).includes('You said: hello agents'), 'assistant reply in history');
    assert.ok(recorder.audioEvents > 0, 'the reply was spoken');
    assertNothingDropped(recorder);
  } finally {
    recorder.session.close();
  }
});

test('agents SDK: an audio turn driven by VAD (semantic_vad by default) on real speech, transcribed', async () => {
  const installed = await loadSpeechParts();
  after(() => installed.close?.());
  const server = await startTestServer({ speech: { ...installed, transcriber: new FixedTranscriber(), recognizer: undefined } });
  const recorder = await agentSession(server, new RealtimeAgent({ name: 'echo', instructions: 'Repeat.' }));
  try {
    await recorder.waitFor(() => count(recorder, 'session.updated') >= 1, 'session.updated');
    const pcm = Buffer.concat([silence(500), spokenPcm('Hello, can you hear me?'), silence(1500)]);
    for (let offset = 0; offset < pcm.length; offset += 4800) {
      const chunk = pcm.subarray(offset, offset + 4800);
      recorder.session.sendAudio(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.length));
    }
    await recorder.waitFor(() => recorder.turnsDone >= 1, 'response after speech');
    await recorder.waitFor(() => recorder.session.history.some((item) => item.type === 'message' && item.role === 'user'
      && item.content.some((part) => part.type === 'input_audio' && part.transcript === 'hello from the test')), 'user transcript in history');
    assert.ok(assistantTexts(recorder.session.history).includes('You said: hello from the test'));
    assert.equal(count(recorder, 'input_audio_buffer.speech_started'), 1);
    assertNothingDropped(recorder);
  } finally {
    recorder.session.close();
  }
});

test('agents SDK: a function call round trip runs the tool and answers with its result', async () => {
  const server = await startTestServer();
  const calls: unknown[] = [];
  const getWeather = agentWeatherTool(calls, 'sunny, 21 degrees');
  const recorder = await agentSession(server, new RealtimeAgent({ name: 'weather', instructions: 'Use tools.', tools: [getWeather] }));
  try {
    recorder.session.sendMessage('call get_weather with city Paris');
    await recorder.waitFor(() => recorder.turnsDone >= 2, 'tool response and final answer', 10000);
    assert.deepEqual(calls, [{ city: 'Paris' }]);
    await recorder.waitFor(() => assistantTexts(recorder.session.history).includes('The get_weather tool returned: sunny, 21 degrees'), 'final answer');
    assertNothingDropped(recorder);
  } finally {
    recorder.session.close();
  }
});

test('agents SDK: interrupting cancels the response and truncates what was not heard', async () => {
  const server = await startTestServer({ speech: fakeSpeech({ synthesizer: new ToneSynthesizer(60, 100, 15) }) });
  const recorder = await agentSession(server, new RealtimeAgent({ name: 'echo', instructions: 'Repeat.' }));
  try {
    recorder.session.sendMessage('please say something long enough that I can interrupt it halfway through');
    // Interrupted with some audio heard: a few more chunks after the first three.
    await recorder.waitFor(() => recorder.audioEvents >= 5, 'audio playing');
    recorder.session.interrupt();
    await recorder.waitFor(() => recorder.turnsDone >= 1, 'response.done');
    const done = recorder.raw.find((event) => event.type === 'response.done') as unknown as { response: { status: string } };
    assert.equal(done.response.status, 'cancelled');
    await recorder.waitFor(() => count(recorder, 'conversation.item.truncated') === 1, `truncated ${JSON.stringify(recorder.raw.filter((e) => e.type === 'error'))}`);
    assertNothingDropped(recorder);
  } finally {
    recorder.session.close();
  }
});
