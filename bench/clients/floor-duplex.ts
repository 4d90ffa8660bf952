/** (g): the article's script (article-floor.ts) on the duplex workload: deltas straight into the pipe, no pacing. */
import { startArticleClient } from '../article-floor.js';
import { benchArgs, report } from '../lib/child.js';
import { benchMicrophone } from '../lib/microphone.js';
import { DeltaClock, LONG_REQUEST, measureWindow, type DuplexArgs } from '../lib/duplex.js';
import { PipeSink } from '../lib/pipe-sink.js';

const args = benchArgs<DuplexArgs>();
const clock = new DeltaClock();
const sink = new PipeSink();
let resolveFirst!: () => void;
const firstAudio = new Promise<void>((resolve) => { resolveFirst = resolve; });
let bytes = 0;
let writes = 0;
/** The article's speaker pipe, with the hand-off timed (the pipe is the player and the device). */
const speaker = {
  write(pcm: Buffer): boolean {
    clock.handedToPlayer();
    clock.deviceWrite();
    bytes += pcm.length;
    writes += 1;
    resolveFirst();
    return sink.stdin.write(pcm);
  },
} as unknown as NodeJS.WritableStream;
let sent = 0;
const mic = benchMicrophone();
mic.on('data', (pcm: Buffer) => { sent += pcm.length; });
const ws = startArticleClient({
  url: `${args.url}/realtime?model=gpt-realtime`, apiKey: 'sk-bench', mic, speaker,
  session: { voice: 'echo', turn_detection: null }, text: LONG_REQUEST, log: () => undefined,
});
clock.watch(ws);
ws.once('open', () => mic.start());
const result = await measureWindow('floor', args, clock, firstAudio, { sinkBytes: () => bytes, sentBytes: () => sent, deviceWrites: () => writes });
report(result);
