/**
 * kaiwa serve's Live input transcript streams while the user speaks, with the real speech
 * detector and streaming recognizer: the SDK's own LiveWS speaks sentences at real time
 * (as a microphone would), and the first fragment must come before the speech ends, in
 * audio time. Live has no speech-started event, so that fragment is a client's only sign
 * that the user talks (barge-in).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { LiveWS } from 'openai/resources/live/ws';
import { TranscriptGrouper, type TranscriptSegment } from 'openai/helpers/live';
import type { ServerEvent } from 'openai/resources/live/live';
import { silence, ToneSynthesizer } from '../helpers/server-speech.js';
import { espeakSpeechAt } from '../helpers/speech-audio.js';
import { wordErrorRate } from '../helpers/speech-wer.js';
import { int16ToBuffer } from '../../src/audio/pcm16.js';
import { liveEventProblems } from '../helpers/live-event-checker.js';
import { waitFor } from '../helpers/wait-for.js';
import { loadSpeechParts } from '../../src/server/speech-parts.js';
import type { SpeechParts } from '../../src/server/speech-parts.js';
import { startRealtimeServer, type RealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';

type Json = Record<string, unknown>;
const RATE = 24000;
const CHUNK_MS = 100;
const LEAD_MS = 500;
const TAIL_MS = 1500;

let speech: SpeechParts;
let server: RealtimeServer;

before(async () => {
  speech = await loadSpeechParts();
  assert.ok(speech.createDetector && speech.recognizer, 'the WebRTC speech detector and the streaming recognizer are installed');
  // The tone voice, in 100 ms pieces 100 ms apart: a reply plays out at about real time, and espeak would only load the machine.
  server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: { ...speech, synthesizer: new ToneSynthesizer(20, 100, 100) } });
});
after(async () => {
  await server?.close();
  speech?.close?.();
});

/** A received event and how much audio the client had sent when it arrived. */
interface Received {
  event: ServerEvent;
  sentMs: number;
}

interface LiveClient {
  live: LiveWS;
  received: Received[];
  /** Sends `pcm` in 100 ms appends as a microphone would: each once its time has come. */
  speak(pcm: Buffer): Promise<void>;
  fragments(): Received[];
}

async function openLive(): Promise<LiveClient> {
  const client = new OpenAI({ apiKey: 'sk-test-live-stream', baseURL: server.url.replace(/^ws/, 'http') });
  const live = new LiveWS(client);
  after(() => live.close());
  const received: Received[] = [];
  let sentMs = 0;
  live.on('event', (event) => received.push({ event, sentMs }));
  live.send({ type: 'session.start', session: { model: 'gpt-live-1', audio: { format: { type: 'audio/pcm', rate: RATE } } } });
  await waitFor(() => received.some(({ event }) => event.type === 'session.started'), { what: 'session.started' });
  const speak = async (pcm: Buffer): Promise<void> => {
    const bytes = (RATE * 2 * CHUNK_MS) / 1000;
    const startedAt = performance.now() - sentMs;
    for (let at = 0; at < pcm.length; at += bytes) {
      // Real time is the point: the audio's own clock paces the appends (a late one goes at once).
      const due = startedAt + sentMs - performance.now();
      if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
      const chunk = pcm.subarray(at, at + bytes);
      live.send({ type: 'session.input_audio.append', audio: chunk.toString('base64') });
      sentMs += chunk.length / ((RATE * 2) / 1000);
    }
  };
  const fragments = () => received.filter(({ event }) => event.type === 'session.input_transcript.delta');
  return { live, received, speak, fragments };
}

const deltaOf = (received: Received): string => (received.event as { delta: string }).delta;
const endOf = (received: Received): number => (received.event as { end_ms: number }).end_ms;
const count = (client: LiveClient, type: string): number => client.received.filter(({ event }) => event.type === type).length;
/** The voice the recognizer's own tests use (espeak-ng's default voice is recognized far worse). */
const spoken = (text: string): Buffer => int16ToBuffer(espeakSpeechAt(text, RATE, { voice: 'en-us+f5', wordsPerMinute: 160 }));
const msOf = (pcm: Buffer): number => pcm.length / ((RATE * 2) / 1000);

/**
 * The fragments add up to the words the reply answered, nothing twice and nothing lost. Where
 * the turn's full decoding revised words already sent (Live's fragments cannot be taken back),
 * the transcript keeps the sent ones and the final words after them; where it revised nothing,
 * the two are the same.
 */
function assertAddsUp(fragments: string[], final: string): void {
  const heard = fragments.join('');
  const finalWords = final.split(' ');
  const revised = fragments.slice(0, -1).some((_, i) => {
    const sent = fragments.slice(0, i + 1).join('').split(' ');
    return sent.some((word, j) => finalWords[j] !== word);
  });
  if (!revised) return assert.equal(heard, final, 'no revision: the fragments are the final words');
  assert.ok(final.endsWith(fragments.at(-1)!.trim()), `the last fragment is the end of the final words: ${JSON.stringify(fragments)} for "${final}"`);
  assert.ok(wordErrorRate([{ reference: final, hypothesis: heard }]) <= 0.3, `"${heard}" differs from "${final}" only where words were revised`);
}

test('spoken at real time, the user\'s words stream while they speak: the first fragment comes before the speech ends, and the fragments add up to the words the reply answers', async () => {
  const client = await openLive();
  const grouper = new TranscriptGrouper();
  const segments = new Map<string, TranscriptSegment>();
  grouper.on('segment.updated', (segment) => segments.set(segment.id, segment));
  client.live.on('event', (event) => grouper.push(event));
  after(() => grouper.close());
  // The first turn is a fresh decoder's (decoded again once adapted to the voice), the second a warm one's.
  const sentences = ['I would like a cup of coffee with milk and some bread please', 'Where is the nearest train station I need to get home tonight'];
  let turnStartMs = 0;
  const heardTurns: string[] = [];
  for (const [turn, sentence] of sentences.entries()) {
    const speech = spoken(sentence);
    const before = client.fragments().length;
    const replies = count(client, 'session.usage.updated');
    await client.speak(Buffer.concat([silence(LEAD_MS), speech, silence(TAIL_MS)]));
    await waitFor(() => count(client, 'session.usage.updated') > replies, { what: `the reply to turn ${turn + 1}`, timeoutMs: 20_000 });
    const fragments = client.fragments().slice(before);
    const speechEndMs = turnStartMs + LEAD_MS + msOf(speech);
    const heard = fragments.map(deltaOf).join('');
    const replyText = client.received.filter(({ event }) => event.type === 'session.output_transcript.delta').map(deltaOf).join('');
    const answered = replyText.split('You said: ').at(-1);
    console.log(`# turn ${turn + 1}, speech ${(turnStartMs + LEAD_MS).toFixed(0)}-${speechEndMs.toFixed(0)} ms: ${JSON.stringify(fragments.map((f) => [deltaOf(f), Math.round(f.sentMs)]))}; answered "${answered}"`);
    assert.ok(fragments.length >= 2, `the words came in more than one fragment: ${JSON.stringify(fragments.map(deltaOf))}`);
    const first = fragments[0]!;
    assert.ok(first.sentMs < speechEndMs - 1000, `the first fragment arrived when ${first.sentMs.toFixed(0)} ms of audio had been sent; the speech ends at ${speechEndMs.toFixed(0)} ms`);
    assert.ok(endOf(first) < speechEndMs, 'and is stamped within the speech');
    assertAddsUp(fragments.map(deltaOf), answered ?? '');
    assert.ok(wordErrorRate([{ reference: sentence.toLowerCase(), hypothesis: heard }]) < 0.5, heard);
    heardTurns.push(heard);
    turnStartMs += LEAD_MS + msOf(speech) + TAIL_MS;
  }
  assert.deepEqual(client.received.flatMap(({ event }) => liveEventProblems(event as unknown as Json)), []);
  // The SDK's grouper takes the streamed fragments as one user segment a turn.
  const user = [...segments.values()].filter((segment) => segment.speaker === 'user').map((segment) => segment.text);
  assert.deepEqual(user, heardTurns);
});

test('talking over the reply stops kaiwa serve\'s Live output at once; the question streams, then is answered', async () => {
  const client = await openLive();
  // A reply of 10 s in the tone voice, delivered at about real time (100 ms chunks, 100 ms apart).
  const request = 'Tell me a long story about the sea and the wind and the mountains, slowly, with many details. '.repeat(5);
  client.live.send({ type: 'session.instructions.append', content: request, delegation_id: null });
  await waitFor(() => count(client, 'session.output_audio.delta') >= 10, { what: 'a second of the reply', timeoutMs: 20_000 });
  const question = spoken('Wait a moment what about the mountains in the north');
  const replies = count(client, 'session.usage.updated');
  await client.speak(Buffer.concat([silence(300), question, silence(TAIL_MS)]));
  await waitFor(() => count(client, 'session.usage.updated') > replies + 1, { what: 'the answer to the question', timeoutMs: 20_000 });
  const order = client.received.map(({ event }) => event.type);
  const firstFragment = order.indexOf('session.input_transcript.delta');
  const lastFragment = order.lastIndexOf('session.input_transcript.delta');
  assert.ok(firstFragment > 0, 'the question was heard');
  const story = client.received.slice(0, firstFragment).filter(({ event }) => event.type === 'session.output_audio.delta');
  const storyMs = story.reduce((sum, { event }) => sum + Buffer.from((event as { delta: string }).delta, 'base64').length / 48, 0);
  assert.ok(storyMs < (request.length + 'You said: '.length) * 20 - 3000, `the story stopped (${storyMs} ms of it sent)`);
  assert.deepEqual(order.slice(firstFragment, lastFragment).filter((type) => type === 'session.output_audio.delta'), [], 'no reply audio while the user speaks');
  assert.ok(order.slice(lastFragment).includes('session.output_audio.delta'), 'the question is answered');
  assert.match(client.received.filter(({ event }) => event.type === 'session.output_transcript.delta').map(deltaOf).join(''), /You said: .*mountains/);
  assert.deepEqual(client.received.flatMap(({ event }) => liveEventProblems(event as unknown as Json)), []);
});
