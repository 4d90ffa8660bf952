import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { LiveWS } from 'openai/resources/live/ws';
import { TranscriptGrouper, type TranscriptSegment } from 'openai/helpers/live';
import type { ServerEvent } from 'openai/resources/live/live';
import { startTestServer } from '../helpers/server-harness.js';
import { silence, tone } from '../helpers/server-speech.js';
import { liveEventProblems } from '../helpers/live-event-checker.js';
import { dominantFrequency } from '../helpers/audio-signals.js';

type Json = Record<string, unknown>;

/** Resolves with the first event that passes the test (or one already seen), rejecting after a deadline. */
function waitFor(events: ServerEvent[], live: LiveWS, test: (event: ServerEvent) => boolean, what: string, ms = 15000): Promise<ServerEvent> {
  const seen = events.find(test);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms; got ${events.map((e) => e.type).join(', ')}`)), ms);
    const listener = (event: ServerEvent): void => {
      if (!test(event)) return;
      clearTimeout(timer);
      live.off('event', listener);
      resolve(event);
    };
    live.on('event', listener);
  });
}

function chunks(pcm: Buffer, ms = 100, rate = 24000): Buffer[] {
  const size = (rate * 2 * ms) / 1000;
  const out: Buffer[] = [];
  for (let at = 0; at < pcm.length; at += size) out.push(pcm.subarray(at, at + size));
  return out;
}

test('the SDK\'s LiveWS holds a spoken turn with kaiwa serve; every event is in the SDK\'s Live server union', async () => {
  const server = await startTestServer();
  const client = new OpenAI({ apiKey: 'sk-test-live-sdk', baseURL: server.url.replace(/^ws/, 'http') });
  const live = new LiveWS(client);
  const events: ServerEvent[] = [];
  const errors: string[] = [];
  live.on('event', (event) => events.push(event));
  live.on('error', (error) => errors.push(error.message));
  const grouper = new TranscriptGrouper();
  const segments: TranscriptSegment[] = [];
  live.on('event', (event) => grouper.push(event));
  grouper.on('segment.updated', (segment) => segments.push(segment));
  try {
    live.send({ type: 'session.start', event_id: 'start_1', session: { model: 'gpt-live-1', instructions: 'Be brief.', audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'cedar' } } } });
    const started = await waitFor(events, live, (event) => event.type === 'session.started', 'session.started') as Extract<ServerEvent, { type: 'session.started' }>;
    assert.equal(started.client_event_id, 'start_1');
    assert.equal(started.session.model, 'gpt-live-1');
    assert.deepEqual(started.session.audio, { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'cedar' } });

    for (const chunk of chunks(Buffer.concat([silence(300), tone(800), silence(1500)]))) {
      live.send({ type: 'session.input_audio.append', audio: chunk.toString('base64') });
    }
    await waitFor(events, live, (event) => event.type === 'session.input_transcript.delta', 'input transcript');
    await waitFor(events, live, (event) => event.type === 'session.output_audio.delta', 'output audio');
    await waitFor(events, live, (event) => event.type === 'session.usage.updated', 'usage after the reply');
    live.send({ type: 'session.close', event_id: 'close_1' });
    const closed = await waitFor(events, live, (event) => event.type === 'session.closed', 'session.closed') as Extract<ServerEvent, { type: 'session.closed' }>;
    assert.equal(closed.reason, 'close_requested');
    assert.equal(closed.client_event_id, 'close_1');
    assert.ok(closed.usage.seconds >= 2.6, `usage covers the audio sent (${closed.usage.seconds} s)`);

    const text = (type: string): string => events.filter((event) => event.type === type).map((event) => (event as { delta: string }).delta).join('');
    assert.equal(text('session.input_transcript.delta'), 'hello from the test');
    assert.equal(text('session.output_transcript.delta'), 'You said: hello from the test');
    assert.ok(events.filter((event) => event.type === 'session.output_audio.delta').length > 0);
    const problems = events.flatMap((event) => liveEventProblems(event as unknown as Json));
    assert.deepEqual(problems, [], 'every event is a Live server event with its required fields');
    assert.deepEqual(errors, []);
    // The SDK's own grouper takes kaiwa serve's timed fragments: one user segment, then the assistant's.
    const last = new Map(segments.map((segment) => [segment.id, segment]));
    assert.deepEqual([...last.values()].map((segment) => [segment.speaker, segment.text]), [
      ['user', 'hello from the test'], ['assistant', 'You said: hello from the test'],
    ]);
  } finally {
    grouper.close();
    live.close();
  }
});

test('PCM16 at 16 kHz, as Live allows: kaiwa serve hears the 16 kHz microphone and answers in 16 kHz audio of the right length and pitch', async () => {
  const server = await startTestServer();
  const client = new OpenAI({ apiKey: 'sk-test-live-sdk', baseURL: server.url.replace(/^ws/, 'http') });
  const live = new LiveWS(client);
  const events: ServerEvent[] = [];
  live.on('event', (event) => events.push(event));
  try {
    live.send({ type: 'session.start', event_id: 'start_16', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcm', rate: 16000 } } } });
    const started = await waitFor(events, live, (event) => event.type === 'session.started' || event.type === 'error', 'session.started') as Extract<ServerEvent, { type: 'session.started' }>;
    assert.deepEqual(started.session.audio?.format, { type: 'audio/pcm', rate: 16000 });
    for (const chunk of chunks(Buffer.concat([silence(300, 16000), tone(800, 16000), silence(1500, 16000)]), 100, 16000)) {
      live.send({ type: 'session.input_audio.append', audio: chunk.toString('base64') });
    }
    await waitFor(events, live, (event) => event.type === 'session.usage.updated', 'usage after the reply');
    live.send({ type: 'session.close', event_id: 'close_16' });
    const closed = await waitFor(events, live, (event) => event.type === 'session.closed', 'session.closed') as Extract<ServerEvent, { type: 'session.closed' }>;
    assert.ok(Math.abs(closed.usage.seconds - 2.6) <= 0.15, `2.6 s of 16 kHz input counted as 2.6 s (${closed.usage.seconds} s)`);
    const text = (type: string): string => events.filter((event) => event.type === type).map((event) => (event as { delta: string }).delta).join('');
    assert.equal(text('session.input_transcript.delta'), 'hello from the test', 'the 16 kHz tone was heard as speech');
    const reply = text('session.output_transcript.delta');
    const audio = Buffer.concat(events.filter((event) => event.type === 'session.output_audio.delta').map((event) => Buffer.from((event as { delta: string }).delta, 'base64')));
    // The stand-in voice speaks 20 ms a character, a 440 Hz tone: at 16 kHz that is 32 bytes a ms.
    const expectedMs = reply.length * 20;
    assert.ok(Math.abs(audio.length / 32 - expectedMs) <= 2, `${audio.length / 32} ms of 16 kHz audio for ${expectedMs} ms of voice`);
    const samples = new Int16Array(audio.buffer, audio.byteOffset, Math.floor(audio.length / 2));
    assert.ok(Math.abs(dominantFrequency(samples, 16000, 300, 700, 5) - 440) <= 10, 'at its own pitch (not played at the wrong rate)');
    assert.deepEqual(events.flatMap((event) => liveEventProblems(event as unknown as Json)), []);
  } finally {
    live.close();
  }
});
