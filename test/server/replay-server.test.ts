/**
 * `kaiwa serve --replay DIR`: a recorded session's server side, replayed to a fresh client
 * that sends the same client events, gives the same events, transcripts and audio, with
 * fresh ids that stay consistent across events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { startTestServer } from '../helpers/server-harness.js';
import { TestClient, type Json } from '../helpers/server-client.js';
import { silence, tone } from '../helpers/server-speech.js';
import { KAIWA_BIN, cleanEnv, runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { startRealtimeServer, type RealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { ReplaySource } from '../../src/server/replay/replay-source.js';
import { buildReplayScript } from '../../src/server/replay/replay-script.js';
import { encodeWav, parseWav } from '../../src/audio/wav.js';
import { bufferToInt16 } from '../../src/audio/pcm16.js';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { RealtimeSession } from '../../src/client/session.js';
import { dialectFor } from '../../src/protocol/dialects.js';
import { SessionRecorder } from '../../src/recording/session-recorder.js';
import type { ServerEvent } from '../../src/protocol/events.js';

const KEY = 'sk-replay-test-0000';

interface Line { t: number; dir: 'client' | 'server' | 'meta'; event: Json }

function readEvents(dir: string): Line[] {
  return readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Line);
}

/**
 * The server events the CLI recorded, up to response.done. Left out: session.created, which
 * the client misses when it arrives with the upgrade response (WebSocketTransport emits it
 * before RealtimeSession listens), and what comes after response.done, which --once may
 * or may not wait for.
 */
function serverTypes(lines: Line[]): string[] {
  const types = lines.filter((line) => line.dir === 'server' && line.event.type !== 'session.created').map((line) => line.event.type);
  return types.slice(0, types.lastIndexOf('response.done') + 1);
}

function transcripts(lines: Line[]): string[] {
  return lines.filter((line) => line.event.type === 'response.output_audio_transcript.done' || line.event.type === 'conversation.item.input_audio_transcription.completed')
    .map((line) => String(line.event.transcript));
}

async function replayServer(dir: string, timing: 'recorded' | 'immediate' = 'recorded'): Promise<{ server: RealtimeServer; source: ReplaySource }> {
  const source = ReplaySource.load(dir, { timing });
  const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), createSession: source.createSession });
  return { server, source };
}

/** The assistant's channel of a recording, from its first sound. */
function assistantChannel(dir: string): Int16Array {
  const wav = parseWav(readFileSync(join(dir, 'conversation.wav')));
  const right = new Int16Array(wav.samples.length / 2);
  for (let i = 0; i < right.length; i++) right[i] = wav.samples[i * 2 + 1]!;
  const first = right.findIndex((sample) => Math.abs(sample) > 500);
  return right.subarray(Math.max(0, first));
}

test('a typed turn recorded by the CLI replays to the CLI: same events, transcript and audio, fresh ids', async (t) => {
  const live = await startTestServer();
  const dir = tempDir();
  const first = join(dir, 'first');
  const recorded = await runKaiwa(['--url', live.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker', '--record', first], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(recorded.code, 0, recorded.stderr);

  const { server, source } = await replayServer(first);
  t.after(async () => { await server.close(); source.close(); });
  const second = join(dir, 'second');
  const replayed = await runKaiwa(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker', '--record', second], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(replayed.code, 0, replayed.stderr);

  const before = readEvents(first);
  const after = readEvents(second);
  assert.deepEqual(serverTypes(after), serverTypes(before));
  assert.ok(serverTypes(before).includes('response.output_audio.delta'));
  assert.deepEqual(transcripts(after), transcripts(before));
  assert.deepEqual(transcripts(after), ['You said: hello']);
  assert.equal(replayed.stdout, recorded.stdout);

  const [stats] = source.sessions;
  assert.deepEqual(stats!.unmatched, []);
  assert.equal(stats!.stepsLeft, 0);
  assert.equal(stats!.idConflicts, 0);
  // Each run tags its request with its own event id (metadata.kaiwa_request): the same id, no difference.
  assert.equal(stats!.firstDifference, undefined);
  assert.equal(stats!.audioFromWav, before.filter((line) => line.event.type === 'response.output_audio.delta').length);
  assert.equal(stats!.audioSilent, 0);

  // Ids are new, and the same new id wherever the recording had one id.
  const responseId = (lines: Line[]) => (lines.find((line) => line.event.type === 'response.created')!.event.response as { id: string }).id;
  assert.notEqual(responseId(after), responseId(before));
  const afterResponse = responseId(after);
  for (const line of after.filter((l) => l.dir === 'server' && typeof l.event.response_id === 'string')) assert.equal(line.event.response_id, afterResponse);
  assert.equal((after.find((line) => line.event.type === 'response.done')!.event.response as { id: string }).id, afterResponse);
  const eventIds = after.filter((line) => line.dir === 'server').map((line) => line.event.event_id);
  assert.equal(new Set(eventIds).size, eventIds.length, 'fresh event ids');

  // The audio is the recorded audio: the assistant channels match sample for sample (after a sub-ms shift).
  const a = assistantChannel(first);
  const b = assistantChannel(second);
  assert.ok(Math.abs(a.length - b.length) <= 48, `${a.length} vs ${b.length} samples`);
  assert.ok(matchingFraction(a, b) > 0.98, 'assistant audio replayed');
  // Timing is kept: the reply comes about as long after the request as it did.
  const lag = (lines: Line[]) => lines.find((line) => line.event.type === 'response.done')!.t - lines.find((line) => line.event.type === 'response.create')!.t;
  assert.ok(Math.abs(lag(after) - lag(before)) < 300, `response took ${lag(before)} ms, replayed in ${lag(after)} ms`);
});

test('a spoken turn (server VAD) recorded and replayed through the CLI with --input', async (t) => {
  const live = await startTestServer();
  const dir = tempDir();
  const input = join(dir, 'in.wav');
  writeFileSync(input, encodeWav(bufferToInt16(Buffer.concat([silence(400), tone(800), silence(300)])), 24000, 1));
  const args = (url: string, record: string) => ['--url', url, '--input', input, '--no-speaker', '--once', '--record', record, '--silence-ms', '300'];
  const first = join(dir, 'first');
  const recorded = await runKaiwa(args(live.url, first), { env: { OPENAI_API_KEY: KEY } });
  assert.equal(recorded.code, 0, recorded.stderr);
  const { server, source } = await replayServer(first);
  t.after(async () => { await server.close(); source.close(); });
  const second = join(dir, 'second');
  const replayed = await runKaiwa(args(server.url, second), { env: { OPENAI_API_KEY: KEY } });
  assert.equal(replayed.code, 0, replayed.stderr);
  const before = readEvents(first);
  const after = readEvents(second);
  assert.deepEqual(serverTypes(after), serverTypes(before));
  assert.ok(serverTypes(after).includes('input_audio_buffer.speech_stopped'));
  assert.deepEqual(transcripts(after), transcripts(before));
  assert.match(replayed.stdout, /^you: hello from the test$/m);
  // The user's item id from speech_started is the one committed and answered, in the replay too.
  const started = after.find((line) => line.event.type === 'input_audio_buffer.speech_started')!.event.item_id;
  assert.equal(after.find((line) => line.event.type === 'input_audio_buffer.committed')!.event.item_id, started);
  assert.notEqual(started, before.find((line) => line.event.type === 'input_audio_buffer.speech_started')!.event.item_id);
  assert.deepEqual(source.sessions[0]!.unmatched.filter((type) => type !== 'input_audio_buffer.append'), []);
});

/** A library client that calls a tool, answers it and interrupts the spoken reply; returns what it saw. */
async function toolAndTruncateClient(url: string, record?: string): Promise<{ events: ServerEvent[]; sent: Json[] }> {
  const transport = await WebSocketTransport.connect(resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url, apiKey: KEY }));
  const session = new RealtimeSession(transport, dialectFor('ga'));
  const recorder = record ? new SessionRecorder(record, { sampleRate: 24000, model: 'gpt-realtime', secrets: [KEY] }) : undefined;
  const events: ServerEvent[] = [];
  const sent: Json[] = [];
  let deltas = 0;
  let answered = 0;
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; saw ${events.map((e) => e.type).join(', ')}`)), 10_000);
    session.on('client-event', (event) => { sent.push(event as unknown as Json); recorder?.clientEvent(event); });
    session.on('server-event', (event) => {
      events.push(event);
      recorder?.serverEvent(event);
      if (event.type === 'response.output_audio.delta') {
        recorder?.assistantAudio(event, Buffer.from(event.delta, 'base64'));
        deltas += 1;
        if (deltas === 3) session.truncate(event.item_id, 150);
      }
      if (event.type === 'response.function_call_arguments.done') {
        session.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: event.call_id, output: 'found 3 cats' } });
      }
      if (event.type === 'response.done') {
        answered += 1;
        if (answered === 1) session.createResponse();
      }
      // Complete: both answers, each followed by its rate_limits.updated, and the truncation's answer
      // (which may come last of all).
      const lastDone = events.findLastIndex((seen) => seen.type === 'response.done');
      if (answered === 2 && events.slice(lastDone).some((seen) => seen.type === 'rate_limits.updated')
        && events.some((seen) => seen.type === 'conversation.item.truncated')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  session.updateSession({ type: 'realtime', audio: { input: { turn_detection: null } }, tools: [{ type: 'function', name: 'lookup', description: 'look up', parameters: { type: 'object', properties: {} } }] });
  session.sendText('call lookup with term cats');
  await finished;
  await session.close();
  await recorder?.close();
  return { events, sent };
}

test('a tool call and a truncation replay with consistent ids (library client + SessionRecorder)', async (t) => {
  const live = await startTestServer();
  const dir = join(tempDir(), 'rec');
  const original = await toolAndTruncateClient(live.url, dir);
  const { server, source } = await replayServer(dir);
  t.after(async () => { await server.close(); source.close(); });
  const replay = await toolAndTruncateClient(server.url);
  const seen = (run: typeof original) => run.events.map((event) => event.type);
  assert.deepEqual(seen(replay), seen(original));
  const call = (run: typeof original) => run.events.find((event) => event.type === 'response.function_call_arguments.done') as ServerEvent & { call_id: string };
  assert.notEqual(call(replay).call_id, call(original).call_id, 'a fresh call id');
  // The output the client sent with the replayed call id is echoed with that id.
  const echoed = replay.events.find((event) => event.type === 'conversation.item.added' && event.item.type === 'function_call_output');
  assert.equal((echoed as { item: { call_id: string } }).item.call_id, call(replay).call_id);
  // The truncate named the replayed item id; the server's answer names the same one.
  const truncate = replay.sent.find((event) => event.type === 'conversation.item.truncate')!;
  const truncated = replay.events.find((event) => event.type === 'conversation.item.truncated') as ServerEvent & { item_id: string };
  assert.equal(truncated.item_id, truncate.item_id);
  assert.equal(replay.events.filter((event) => event.type === 'error').length, 0);
  const stats = source.sessions[0]!;
  assert.deepEqual(stats.unmatched, []);
  assert.equal(stats.idConflicts, 0);
  // Deltas after the truncation were never heard: the WAV lacks them and they come back silent, same length.
  const sizes = (run: typeof original) => run.events.filter((event) => event.type === 'response.output_audio.delta').map((event) => Buffer.from((event as { delta: string }).delta, 'base64').length);
  assert.deepEqual(sizes(replay), sizes(original));
});

test('a GA recording replays to a beta client in beta names; unknown client events get no answer', async (t) => {
  const live = await startTestServer();
  const dir = join(tempDir(), 'rec');
  await toolAndTruncateClient(live.url, dir);
  const { server, source } = await replayServer(dir, 'immediate');
  t.after(async () => { await server.close(); source.close(); });
  const client = await TestClient.connect(server.url, { headers: { 'OpenAI-Beta': 'realtime=v1' } });
  t.after(() => client.close());
  await client.next('session.created');
  client.send({ type: 'session.update', session: { modalities: ['text', 'audio'], turn_detection: null } });
  await client.next('session.updated');
  client.send({ type: 'input_audio_buffer.clear' });
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'call lookup' }] } });
  client.send({ type: 'response.create' });
  const call = await client.next('response.function_call_arguments.done');
  await client.next('response.done');
  client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: 'found 3 cats' } });
  client.send({ type: 'response.create' });
  await client.next('response.done');
  const seen = new Set(client.events.map((event) => event.type));
  assert.ok(seen.has('response.audio.delta') && seen.has('response.audio_transcript.done') && seen.has('conversation.item.created'), 'beta names on the wire');
  assert.ok(!seen.has('response.output_audio.delta') && !seen.has('conversation.item.added'), 'no GA names');
  assert.deepEqual(source.sessions[0]!.unmatched, ['input_audio_buffer.clear']);
});

test('kaiwa serve --replay DIR serves the recording', async (t) => {
  const live = await startTestServer();
  const dir = join(tempDir(), 'rec');
  const recorded = await runKaiwa(['--url', live.url, '--text', 'hi there', '--once', '--no-mic', '--no-speaker', '--record', dir], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(recorded.code, 0, recorded.stderr);
  const child = spawn(process.execPath, [KAIWA_BIN, 'serve', '--port', '0', '--replay', dir], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  // Waited for: a kaiwa that outlives this file's process would write its code cache into
  // the temporary cache folder after the folder was removed, and so leave it behind.
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(async () => { child.kill('SIGTERM'); await exited; });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (\S+) \((.*)\)/.exec(out);
      if (match) {
        assert.match(match[2]!, /^replaying .*: 3 client events, \d+ server events, audio from conversation\.wav, recorded timing$/);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`kaiwa serve exited (${code})`)));
  });
  const replayed = await runKaiwa(['--url', url, '--text', 'hi there', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(replayed.code, 0, replayed.stderr);
  assert.equal(replayed.stdout, recorded.stdout);
});

test('buildReplayScript: server events belong to the client event before them', () => {
  const script = buildReplayScript([
    { t: 0, dir: 'meta', event: { type: 'kaiwa.recording_started' } },
    { t: 1, dir: 'server', event: { type: 'session.created', session: { id: 'sess_1', audio: { output: { format: { type: 'audio/pcmu' } } } } } },
    { t: 2, dir: 'client', event: { type: 'response.create' } },
    { t: 3, dir: 'server', event: { type: 'response.created' } },
    { t: 4, dir: 'server', event: { type: 'response.done' } },
    { t: 5, dir: 'client', event: { type: 'input_audio_buffer.append' } },
  ]);
  assert.deepEqual(script.opening.map((e) => [e.event.type, e.outputFormat]), [['session.created', 'g711-ulaw']]);
  const late = buildReplayScript([
    { t: 1, dir: 'client', event: { type: 'session.update' } },
    { t: 2, dir: 'server', event: { type: 'session.created', session: { id: 'sess_1' } } },
    { t: 3, dir: 'server', event: { type: 'session.updated', session: { id: 'sess_1' } } },
  ]);
  assert.deepEqual(late.opening.map((e) => e.event.type), ['session.created'], 'session.created opens the session wherever it was recorded');
  assert.deepEqual(late.steps[0]!.replies.map((e) => e.event.type), ['session.updated']);
  const pipelined = buildReplayScript([
    { t: 1, dir: 'client', event: { type: 'session.update' } },
    { t: 2, dir: 'client', event: { type: 'conversation.item.create', event_id: 'evt_2' } },
    { t: 3, dir: 'client', event: { type: 'response.create' } },
    { t: 4, dir: 'server', event: { type: 'session.updated' } },
    { t: 5, dir: 'server', event: { type: 'conversation.item.added', item: { id: 'item_1', type: 'message', role: 'user', content: [{ type: 'input_text' }] } } },
    { t: 6, dir: 'server', event: { type: 'conversation.item.done', item: { id: 'item_1', type: 'message', role: 'user', content: [{ type: 'input_text' }] } } },
    { t: 7, dir: 'server', event: { type: 'response.created', response: { id: 'resp_1' } } },
    { t: 8, dir: 'client', event: { type: 'input_audio_buffer.append' } },
    { t: 9, dir: 'server', event: { type: 'response.output_item.added', response_id: 'resp_1', item: { id: 'item_2', type: 'message', role: 'assistant' } } },
    { t: 10, dir: 'server', event: { type: 'conversation.item.added', item: { id: 'item_2', type: 'message', role: 'assistant' } } },
    { t: 11, dir: 'server', event: { type: 'rate_limits.updated' } },
    { t: 12, dir: 'server', event: { type: 'error', error: { event_id: 'evt_2' } } },
  ]);
  assert.deepEqual(pipelined.steps.map((step) => step.replies.map((r) => r.event.type)), [
    ['session.updated'],
    ['conversation.item.added', 'conversation.item.done'],
    ['response.created', 'response.output_item.added', 'conversation.item.added'],
    ['rate_limits.updated', 'error'],
  ], 'answers go with their requests, a response with its create, and no event overtakes another');
  const missing = buildReplayScript([{ t: 1, dir: 'client', event: { type: 'response.create' } }], 'gpt-realtime-mini');
  assert.equal((missing.opening[0]!.event.session as { model: string }).model, 'gpt-realtime-mini', 'a default session.created when the recording has none');
  assert.deepEqual(script.steps.map((step) => [step.clientEvent.type, step.replies.map((r) => r.event.type)]), [
    ['response.create', ['response.created', 'response.done']],
    ['input_audio_buffer.append', []],
  ]);
  assert.equal(script.serverEventCount, 3);
});

/** Fraction of equal samples at the best alignment within ±2 ms. */
function matchingFraction(a: Int16Array, b: Int16Array): number {
  let best = 0;
  const n = Math.min(a.length, b.length) - 48;
  for (let shift = -48; shift <= 48; shift++) {
    let same = 0;
    for (let i = 48; i < n; i++) if (a[i] === b[i + shift]) same++;
    best = Math.max(best, same / (n - 48));
  }
  return best;
}
