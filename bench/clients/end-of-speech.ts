/**
 * (d) kaiwa serve's answer time: from the moment the last sample of the user's speech is
 * sent (real-time 20 ms appends) to the first assistant audio delta's arrival, with the
 * real detector, the installed recognizer and the espeak-ng voice, plus where the time goes.
 */
import type WebSocket from 'ws';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { RealtimeSession } from '../../src/client/session.js';
import { AudioBridge } from '../../src/client/audio-bridge.js';
import { wireCodecFor } from '../../src/client/wire-codec.js';
import { dialectFor } from '../../src/protocol/dialects.js';
import { benchArgs, report } from '../lib/child.js';
import { TimerSource } from '../lib/timer-source.js';
import { trimmedSpeech } from '../lib/speech.js';
import { sleep } from '../lib/duplex.js';

export interface TurnTiming {
  /** All from the end of the speech samples sent, in ms. */
  speechStopped: number;
  committed: number;
  responseCreated: number;
  /** The reply's first words: the engine has the user's transcript (recognition done). */
  firstTranscript: number;
  firstAudio: number;
  transcript: string;
}

/** silenceMs: server_vad with that silence; 'semantic': semantic_vad (auto eagerness). */
const args = benchArgs<{ url: string; turns: number; silenceMs: number | 'semantic' }>();
const transport = await WebSocketTransport.connect(resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url: args.url, apiKey: 'sk-bench' }));
const arrivals = new Map<string, number>();
(transport as unknown as { socket: WebSocket }).socket.prependListener('message', (data: Buffer) => {
  const type = /^\{"type":"([^"]+)"/.exec(data.subarray(0, 80).toString('latin1'))?.[1];
  if (type && !arrivals.has(type)) arrivals.set(type, performance.now());
});
const session = new RealtimeSession(transport, dialectFor('ga'));
const source = new TimerSource();
let speechEnd = 0;
source.onSpeechEnd = (at) => { speechEnd = at; };
const bridge = new AudioBridge({ session, codec: wireCodecFor('pcm16'), source, sinks: [] });
let transcript = '';
let done = false;
session.on('server-event', (event) => {
  if (event.type === 'response.output_audio_transcript.done') transcript = event.transcript;
  if (event.type === 'response.done') done = true;
});
session.updateSession({
  type: 'realtime',
  audio: {
    input: { turn_detection: args.silenceMs === 'semantic' ? { type: 'semantic_vad' } : { type: 'server_vad', silence_duration_ms: args.silenceMs } },
    output: { voice: 'marin' },
  },
});
bridge.start();
const sentences = ['Hello, what is the weather like today?', 'Can you tell me a short story?', 'What time is it in Tokyo?'].map((text) => trimmedSpeech(text));
const turns: TurnTiming[] = [];
const failures: string[] = [];
await sleep(600);
for (let turn = 0; turn < args.turns; turn++) {
  arrivals.clear();
  done = false;
  speechEnd = 0;
  source.say(sentences[turn % sentences.length]!);
  const deadline = performance.now() + 15_000;
  while (!done && performance.now() < deadline) await sleep(10);
  const at = (type: string) => (arrivals.get(type) ?? NaN) - speechEnd;
  if (!done || !arrivals.has('response.output_audio.delta')) failures.push(`turn ${turn}: no spoken answer`);
  else turns.push({ speechStopped: at('input_audio_buffer.speech_stopped'), committed: at('input_audio_buffer.committed'), responseCreated: at('response.created'), firstTranscript: at('response.output_audio_transcript.delta'), firstAudio: at('response.output_audio.delta'), transcript });
  await sleep(700);
}
report({ turns, failures });
