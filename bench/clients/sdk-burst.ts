/**
 * The burst workload's official SDK client: `OpenAIRealtimeWS` (wss only) as in
 * sdk-duplex.ts, with a real SoX recorder as its microphone and its deltas going into a
 * PacedPlayer on a real SoX player, until SIGINT. Bundled to plain JavaScript before it
 * runs (bench/lib/bundle.ts).
 */
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { PacedPlayer } from '../../src/audio/paced-player.js';
import { SoxPlayer } from '../../src/audio/sox-player.js';
import { SoxRecorder } from '../../src/audio/sox-recorder.js';

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY!, baseURL: process.env.BENCH_BASE_URL! });
const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, openai);
await new Promise<void>((resolve, reject) => {
  rt.socket.once('open', () => resolve());
  rt.socket.once('error', reject);
});
const player = new PacedPlayer(new SoxPlayer({ sampleRate: 24000 }));
rt.on('response.output_audio.delta', (event) => player.writeItem(event.item_id, Buffer.from(event.delta, 'base64')));
rt.on('error', (error) => process.stderr.write(`sdk error: ${error.message}\n`));
const microphone = new SoxRecorder({ sampleRate: 24000 });
microphone.on('data', (pcm: Buffer) => rt.send({ type: 'input_audio_buffer.append', audio: pcm.toString('base64') }));
rt.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null }, output: { voice: 'marin' } } } });
microphone.start();
rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: process.env.BENCH_TEXT! }] } });
rt.send({ type: 'response.create' });
process.once('SIGINT', () => {
  rt.close();
  void microphone.stop();
  player.clear();
  void player.close().then(() => process.exit(0));
});
