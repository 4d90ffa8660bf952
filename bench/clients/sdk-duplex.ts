/** (f): the official `openai` SDK's realtime WebSocket client on the same workload, into the same kind of paced player. */
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { benchArgs, report } from '../lib/child.js';
import { benchMicrophone } from '../lib/microphone.js';
import { DeltaClock, LONG_REQUEST, measureWindow, timedPlayer, type DuplexArgs } from '../lib/duplex.js';

const args = benchArgs<DuplexArgs>();
const openai = new OpenAI({ apiKey: 'sk-bench', baseURL: args.url.replace(/^wss:/, 'https:') });
const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: args.certificate } }, openai);
const clock = new DeltaClock();
clock.watch(rt.socket);
await new Promise<void>((resolve, reject) => {
  rt.socket.once('open', () => resolve());
  rt.socket.once('error', reject);
});
const { player, sink } = timedPlayer(clock);
let resolveFirst!: () => void;
const firstAudio = new Promise<void>((resolve) => { resolveFirst = resolve; });
rt.on('response.output_audio.delta', (event) => {
  player.writeItem(event.item_id, Buffer.from(event.delta, 'base64'));
  resolveFirst();
});
rt.on('error', (error) => process.stderr.write(`sdk error: ${error.message}\n`));
let sent = 0;
const source = benchMicrophone();
source.on('data', (pcm: Buffer) => {
  sent += pcm.length;
  rt.send({ type: 'input_audio_buffer.append', audio: pcm.toString('base64') });
});
rt.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null }, output: { voice: 'marin' } } } });
source.start();
rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: LONG_REQUEST }] } });
rt.send({ type: 'response.create' });
const result = await measureWindow('openai-sdk', args, clock, firstAudio, { sinkBytes: () => sink.bytes, sentBytes: () => sent, deviceWrites: () => sink.writes });
report(result);
