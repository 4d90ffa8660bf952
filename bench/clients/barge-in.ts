/**
 * (c) Barge-in stop latency at the library level: while the assistant's voice plays
 * (real-time stream into a PacedPlayer), the "microphone" says "wait, stop"; the server's
 * real detector sends speech_started; kaiwa's BargeIn silences the player. Measured: from
 * the speech_started frame's arrival on the socket to the player's device being cleared.
 */
import type WebSocket from 'ws';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { RealtimeSession } from '../../src/client/session.js';
import { AudioBridge } from '../../src/client/audio-bridge.js';
import { BargeIn } from '../../src/client/barge-in.js';
import { wireCodecFor } from '../../src/client/wire-codec.js';
import { PacedPlayer } from '../../src/audio/paced-player.js';
import { dialectFor } from '../../src/protocol/dialects.js';
import type { ServerEvent } from '../../src/protocol/events.js';
import { benchArgs, report } from '../lib/child.js';
import { TimerSource } from '../lib/timer-source.js';
import { PipeSink } from '../lib/pipe-sink.js';
import { trimmedSpeech } from '../lib/speech.js';
import { sleep } from '../lib/duplex.js';

export interface BargeInResult {
  stopMs: number[];
  /** From the first sample of the user's speech sent to speech_started's arrival (the server's VAD). */
  detectMs: number[];
  truncates: number;
  failures: string[];
}

const args = benchArgs<{ url: string; trials: number }>();
const transport = await WebSocketTransport.connect(resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url: args.url, apiKey: 'sk-bench' }));
let startedArrival: number | undefined;
(transport as unknown as { socket: WebSocket }).socket.prependListener('message', (data: Buffer) => {
  if (data.subarray(0, 64).toString('latin1').includes('speech_started"')) startedArrival = performance.now();
});
const session = new RealtimeSession(transport, dialectFor('ga'));
const sink = new PipeSink();
const result: BargeInResult = { stopMs: [], detectMs: [], truncates: 0, failures: [] };
let cleared: number | undefined;
sink.onClear = () => {
  if (startedArrival !== undefined && cleared === undefined) cleared = performance.now();
};
const player = new PacedPlayer(sink);
const source = new TimerSource();
let speechSentAt = 0;
source.onSpeechStart = (at) => { speechSentAt = at; };
const bridge = new AudioBridge({ session, codec: wireCodecFor('pcm16'), source, speaker: player, sinks: [] });
new BargeIn(session, player, (itemId) => bridge.interrupt(itemId), () => { result.truncates += 1; });
const events: ServerEvent[] = [];
session.on('server-event', (event) => events.push(event));
const until = async (check: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
};
const stop = trimmedSpeech('Wait, stop please.');
session.updateSession({
  type: 'realtime',
  audio: { input: { turn_detection: { type: 'server_vad', create_response: false, interrupt_response: true, silence_duration_ms: 300 } }, output: { voice: 'marin' } },
});
bridge.start();
await sleep(300);
for (let trial = 0; trial < args.trials; trial++) {
  const from = events.length;
  session.createResponse();
  if (!await until(() => events.slice(from).some((e) => e.type === 'response.output_audio.delta'), 5000)) {
    result.failures.push(`trial ${trial}: no audio`);
    continue;
  }
  await sleep(500 + Math.random() * 500);
  if (!player.audible) result.failures.push(`trial ${trial}: the player was not playing`);
  startedArrival = undefined;
  cleared = undefined;
  source.say(stop);
  const stopped = await until(() => cleared !== undefined, 5000);
  if (!stopped || startedArrival === undefined) {
    result.failures.push(`trial ${trial}: no barge-in (${startedArrival === undefined ? 'no speech_started' : 'player not cleared'})`);
  } else {
    result.stopMs.push(cleared! - startedArrival);
    result.detectMs.push(startedArrival - speechSentAt);
  }
  await until(() => events.slice(from).some((e) => e.type === 'response.done') && !source.saying, 5000);
  await until(() => events.slice(from).some((e) => e.type === 'input_audio_buffer.committed'), 3000);
  await sleep(200);
}
report(result);
