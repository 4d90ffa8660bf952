/**
 * (k) kaiwa serve under fast input: an app that streams a recording faster than real
 * time (`speed`× : every 20 ms it appends `speed` × 20 ms of audio), then commits it and
 * asks for a response, as an app sending a file does. Timed from the commit leaving to
 * the first `response.output_audio.delta` arriving, turn after turn; the server's turn
 * detection is off (the app commits), or server_vad with `vad: true` (then the server
 * has heard the speech end before the commit, and the app commits what is left).
 */
import WebSocket from 'ws';
import { benchArgs, report } from '../lib/child.js';
import { trimmedSpeech } from '../lib/speech.js';
import { sleep } from '../lib/duplex.js';

export interface FastInputTurn {
  /** From the commit sent, ms. */
  responseCreated: number;
  firstTranscript: number;
  firstAudio: number;
  /** The words the echo engine answered with (what the server recognized). */
  transcript: string;
}

export interface FastInputResult {
  speechMs: number;
  turns: FastInputTurn[];
  failures: string[];
}

const args = benchArgs<{ url: string; turns: number; speed: number; vad?: boolean }>();
const CHUNK_MS = 20;
const CHUNK_BYTES = (24000 * 2 * CHUNK_MS) / 1000;
const gap = Buffer.alloc((24000 * 2 * 150) / 1000);
const speech = Buffer.concat(['Hello, what is the weather like today?', 'Can you tell me a short story?', 'What time is it in Tokyo?']
  .flatMap((text) => [trimmedSpeech(text), gap]));
// A recording has some quiet before and after the words.
const recording = Buffer.concat([Buffer.alloc(CHUNK_BYTES * 10), speech, Buffer.alloc(CHUNK_BYTES * 10)]);

const socket = new WebSocket(`${args.url}/realtime?model=gpt-realtime`, { headers: { Authorization: 'Bearer sk-bench' } });
await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
const arrivals = new Map<string, number>();
let transcript = '';
let done: (() => void) | undefined;
socket.on('message', (data: Buffer) => {
  const event = JSON.parse(data.toString()) as { type: string; transcript?: string };
  if (!arrivals.has(event.type)) arrivals.set(event.type, performance.now());
  if (event.type === 'response.output_audio_transcript.done') transcript = event.transcript ?? '';
  if (event.type === 'response.done') done?.();
});
const send = (event: object) => socket.send(JSON.stringify(event));
send({
  type: 'session.update',
  session: {
    type: 'realtime',
    audio: { input: { turn_detection: args.vad ? { type: 'server_vad', create_response: false } : null }, output: { voice: 'marin' } },
  },
});
await sleep(300);

const turns: FastInputTurn[] = [];
const failures: string[] = [];
for (let turn = 0; turn < args.turns; turn++) {
  await stream(recording);
  arrivals.clear();
  transcript = '';
  const finished = new Promise<boolean>((resolve) => {
    done = () => resolve(true);
    setTimeout(() => resolve(false), 30_000);
  });
  const committedAt = performance.now();
  send({ type: 'input_audio_buffer.commit' });
  send({ type: 'response.create' });
  const ok = await finished;
  const at = (type: string) => (arrivals.get(type) ?? NaN) - committedAt;
  if (!ok || !arrivals.has('response.output_audio.delta')) failures.push(`turn ${turn}: no spoken answer${arrivals.has('error') ? ' (error event)' : ''}`);
  else turns.push({ responseCreated: at('response.created'), firstTranscript: at('response.output_audio_transcript.delta'), firstAudio: at('response.output_audio.delta'), transcript });
  await sleep(300);
}
socket.close();
report({ speechMs: speech.length / 48, turns, failures } satisfies FastInputResult);

/** Appends the recording `speed` times faster than it plays, in 20 ms appends. */
async function stream(pcm: Buffer): Promise<void> {
  const started = performance.now();
  let offset = 0;
  for (let tick = 1; offset < pcm.length; tick++) {
    for (let k = 0; k < args.speed && offset < pcm.length; k++, offset += CHUNK_BYTES) {
      send({ type: 'input_audio_buffer.append', audio: pcm.subarray(offset, offset + CHUNK_BYTES).toString('base64') });
    }
    const wait = started + tick * CHUNK_MS - performance.now();
    if (wait > 0) await sleep(wait);
  }
}
