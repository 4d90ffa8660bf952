/**
 * (e) Memory after a 60-minute session, simulated faster than real time: the client
 * pieces (RealtimeSession with its reducer, AudioBridge, PacedPlayer on a simulated clock,
 * BargeIn) get an hour of conversation through a fake transport: 360 turns of 4 s of user
 * speech (20 ms appends) and a 6 s spoken answer (100 ms deltas and transcript deltas),
 * every tenth answer interrupted. Heap and RSS after a full GC, at the start and every ten
 * simulated minutes; CPU per simulated minute, early and late.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { RealtimeSession } from '../../src/client/session.js';
import { AudioBridge } from '../../src/client/audio-bridge.js';
import { BargeIn } from '../../src/client/barge-in.js';
import { wireCodecFor } from '../../src/client/wire-codec.js';
import { PacedPlayer } from '../../src/audio/paced-player.js';
import { dialectFor } from '../../src/protocol/dialects.js';
import type { AudioSink, AudioSource } from '../../src/audio/devices.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';
import { benchArgs, report } from '../lib/child.js';

export interface LongSessionResult {
  minutes: number;
  wallSeconds: number;
  checkpoints: Array<{ minute: number; heapUsedMb: number; rssMb: number; externalMb: number }>;
  cpuMsPerMinuteEarly: number;
  cpuMsPerMinuteLate: number;
  items: number;
  responses: number;
  bytesSent: number;
}

const args = benchArgs<{ minutes: number }>();
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

class FakeTransport extends EventEmitter implements ListeningTransport {
  bytesSent = 0;
  readonly bufferedAmount = 0;
  readonly isOpen = true;
  send(text: string): void { this.bytesSent += text.length; }
  async close(): Promise<void> {}
}

class NullSink extends EventEmitter implements AudioSink {
  readonly format = { sampleRate: 24000 };
  bytes = 0;
  write(pcm: Buffer): void { this.bytes += pcm.length; }
  clear(): void {}
  async close(): Promise<void> {}
}

class ManualSource extends EventEmitter implements AudioSource {
  readonly format = { sampleRate: 24000 };
  start(): void {}
  async stop(): Promise<void> {}
}

let simNow = 0;
let counter = 0;
const transport = new FakeTransport();
const session = new RealtimeSession(transport, dialectFor('ga'));
const sink = new NullSink();
const player = new PacedPlayer(sink, { now: () => simNow });
const source = new ManualSource();
const bridge = new AudioBridge({ session, codec: wireCodecFor('pcm16'), source, speaker: player, sinks: [] });
new BargeIn(session, player, (itemId) => bridge.interrupt(itemId));
const mic = Buffer.alloc(960);
for (let i = 0; i < 480; i++) mic.writeInt16LE(Math.round(3000 * Math.sin(i / 7)), i * 2);
const voice = Buffer.alloc(4800);
for (let i = 0; i < 2400; i++) voice.writeInt16LE(Math.round(5000 * Math.sin(i / 5)), i * 2);
const voiceBase64 = voice.toString('base64');

const id = (kind: string) => `${kind}_${(++counter).toString(36).padStart(21, '0')}`;
const server = (event: Record<string, unknown>) => transport.emit('message', JSON.stringify({ ...event, event_id: id('event') }));
const usage = { total_tokens: 500, input_tokens: 300, output_tokens: 200, input_token_details: { cached_tokens: 100, text_tokens: 50, audio_tokens: 250 }, output_token_details: { text_tokens: 40, audio_tokens: 160 } };

server({ type: 'session.created', session: { type: 'realtime', id: id('sess'), model: 'gpt-realtime', audio: { input: { turn_detection: { type: 'server_vad' } } } } });

function turn(n: number): void {
  const userItem = id('item');
  for (let chunk = 0; chunk < 200; chunk++) {
    simNow += 20;
    source.emit('data', mic);
    if (chunk === 10) server({ type: 'input_audio_buffer.speech_started', audio_start_ms: simNow, item_id: userItem });
  }
  server({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: simNow, item_id: userItem });
  server({ type: 'input_audio_buffer.committed', item_id: userItem, previous_item_id: null });
  const user = { id: userItem, type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript: null }] };
  server({ type: 'conversation.item.added', item: user, previous_item_id: null });
  server({ type: 'conversation.item.done', item: user, previous_item_id: null });
  const responseId = id('resp');
  const itemId = id('item');
  const where = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
  server({ type: 'response.created', response: { id: responseId, object: 'realtime.response', status: 'in_progress', output: [] } });
  server({ type: 'conversation.item.input_audio_transcription.completed', item_id: userItem, content_index: 0, transcript: `This is what the user said in turn ${n}, more or less.` });
  const assistant = { id: itemId, type: 'message', role: 'assistant', status: 'in_progress', content: [] };
  server({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: assistant });
  server({ type: 'conversation.item.added', item: assistant, previous_item_id: userItem });
  server({ type: 'response.content_part.added', ...where, part: { type: 'audio', transcript: '' } });
  const interrupted = n % 10 === 9;
  let transcript = '';
  for (let delta = 0; delta < 60; delta++) {
    if (delta % 6 === 0) {
      const words = `word${delta} and more `;
      transcript += words;
      server({ type: 'response.output_audio_transcript.delta', ...where, delta: words });
    }
    server({ type: 'response.output_audio.delta', ...where, delta: voiceBase64 });
    simNow += 100;
    if (interrupted && delta === 30) {
      server({ type: 'input_audio_buffer.speech_started', audio_start_ms: simNow, item_id: id('item') });
      break;
    }
  }
  server({ type: 'response.output_audio.done', ...where });
  server({ type: 'response.output_audio_transcript.done', ...where, transcript });
  const final = { ...assistant, status: interrupted ? 'incomplete' : 'completed', content: [{ type: 'output_audio', transcript }] };
  server({ type: 'response.content_part.done', ...where, part: { type: 'audio', transcript } });
  server({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: final });
  server({ type: 'conversation.item.done', item: final, previous_item_id: userItem });
  server({ type: 'response.done', response: { id: responseId, object: 'realtime.response', status: interrupted ? 'cancelled' : 'completed', output: [final], usage } });
  if (interrupted) server({ type: 'conversation.item.truncated', item_id: itemId, content_index: 0, audio_end_ms: 2500 });
  server({ type: 'rate_limits.updated', rate_limits: [{ name: 'tokens', limit: 40000, remaining: 39000, reset_seconds: 1 }] });
}

function checkpoint(minute: number) {
  gc();
  const memory = process.memoryUsage();
  return { minute, heapUsedMb: memory.heapUsed / 1048576, rssMb: memory.rss / 1048576, externalMb: (memory.external + memory.arrayBuffers) / 1048576 };
}

const turnsPerMinute = 6;
const totalTurns = args.minutes * turnsPerMinute;
const checkpoints: LongSessionResult['checkpoints'] = [];
const started = performance.now();
let cpuEarly = 0;
let cpuLate = 0;
for (let n = 0; n < totalTurns; n++) {
  if (n === turnsPerMinute) checkpoints.push(checkpoint(1));
  const cpu0 = process.cpuUsage();
  turn(n);
  const cpu = process.cpuUsage(cpu0);
  const ms = (cpu.user + cpu.system) / 1000;
  if (n >= turnsPerMinute && n < turnsPerMinute * 11) cpuEarly += ms;
  if (n >= totalTurns - turnsPerMinute * 10) cpuLate += ms;
  if (n > 0 && (n + 1) % (turnsPerMinute * 10) === 0) checkpoints.push(checkpoint((n + 1) / turnsPerMinute));
  // Let the player's timer and the rest of the event loop run, as they would between events.
  await new Promise((resolve) => setImmediate(resolve));
}
const result: LongSessionResult = {
  minutes: args.minutes,
  wallSeconds: (performance.now() - started) / 1000,
  checkpoints,
  cpuMsPerMinuteEarly: cpuEarly / 10,
  cpuMsPerMinuteLate: cpuLate / 10,
  items: session.state.items.length,
  responses: session.state.responses.length,
  bytesSent: transport.bytesSent,
};
report(result);
