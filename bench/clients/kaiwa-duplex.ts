/** (a)/(b): the kaiwa client library (RealtimeSession + AudioBridge + PacedPlayer + BargeIn) on the duplex workload. */
import type WebSocket from 'ws';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { RealtimeSession } from '../../src/client/session.js';
import { AudioBridge } from '../../src/client/audio-bridge.js';
import { BargeIn } from '../../src/client/barge-in.js';
import { wireCodecFor } from '../../src/client/wire-codec.js';
import { dialectFor } from '../../src/protocol/dialects.js';
import { benchArgs, report } from '../lib/child.js';
import { benchMicrophone } from '../lib/microphone.js';
import { DeltaClock, LONG_REQUEST, measureWindow, timedPlayer, type DuplexArgs } from '../lib/duplex.js';
import { PipeSink } from '../lib/pipe-sink.js';
import { EchoingMicrophone } from '../lib/echoing-microphone.js';
import { InProcessEchoGuard } from '../../src/client/in-process-echo-guard.js';

const args = benchArgs<DuplexArgs>();
const transport = await WebSocketTransport.connect(resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url: args.url, apiKey: 'sk-bench' }));
const clock = new DeltaClock();
clock.watch((transport as unknown as { socket: WebSocket }).socket);
const session = new RealtimeSession(transport, dialectFor('ga'));
/** 'direct': no PacedPlayer, deltas go straight into the pipe (how much of the cost is pacing). */
const direct = process.env.BENCH_VARIANT === 'direct';
/** 'echo-guard': kaiwa's in-process echo canceller on a microphone that hears the speaker (200 ms, -6 dB). */
const echoGuard = process.env.BENCH_VARIANT === 'echo-guard';
const sink = new PipeSink();
const player = direct ? undefined : timedPlayer(clock, sink).player;
if (direct) sink.onWrite = () => { clock.handedToPlayer(); clock.deviceWrite(); };
let sent = 0;
const microphone = benchMicrophone();
const source = echoGuard && player ? new EchoingMicrophone(microphone, player) : microphone;
const guard = echoGuard && player ? new InProcessEchoGuard(player) : undefined;
source.on('data', (pcm: Buffer) => { sent += pcm.length; });
const bridge = new AudioBridge({
  session, codec: wireCodecFor('pcm16'), source, speaker: player, sinks: direct ? [sink] : [],
  ...(guard ? { filterCaptured: (pcm: Buffer) => guard.filter(pcm) } : {}),
});
if (player) new BargeIn(session, player, (itemId) => bridge.interrupt(itemId));
const firstAudio = new Promise<void>((resolve) => session.on('server-event', (event) => { if (event.type === 'response.output_audio.delta') resolve(); }));
session.updateSession({ type: 'realtime', audio: { input: { turn_detection: null }, output: { voice: 'marin' } } });
bridge.start();
session.sendText(LONG_REQUEST);
const result = await measureWindow(direct ? 'kaiwa-direct' : echoGuard ? 'kaiwa-echo-guard' : 'kaiwa', args, clock, firstAudio, { sinkBytes: () => sink.bytes, sentBytes: () => sent, deviceWrites: () => sink.writes });
report(result);
