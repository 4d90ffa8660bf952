/**
 * Runs kaiwa's echo canceller offline on a pair recorded by bench/echo-capture.ts
 * (mic.raw, ref.raw: exactly what it was given live, in the chunks it was given them),
 * printing per half second: the far end's level, the microphone's, the linear filter's
 * ERLE and the whole attenuation, measured on the samples (not the canceller's own
 * meters), the canceller's status, and where kaiwa serve's VAD would hear speech start in the
 * output (each one a turn a peer would answer). Fast iteration instead of real-time loops.
 *
 * With --trace, the blocks around each speech start: levels (dBFS) and the canceller's verdicts
 * (from 100 ms before it, or TRACE_BEFORE seconds; only blocks whose output is above -80 dBFS
 * unless TRACE_ALL is set).
 *
 *   node --import tsx bench/echo-offline.ts DIR [--out FILE.raw] [--trace]
 */
import { writeFileSync } from 'node:fs';
import { AcousticEchoCanceller, type EchoBlockDecision } from '../src/audio/acoustic-echo-canceller.js';
import { TurnDetector, turnSettings } from '../src/server/turn-detector.js';
import { loadSpeechDetectorFactory } from '../src/server/speech/webrtc-speech-detector.js';
import { defaultServerVad } from '../src/server/session-state.js';
import { loadEchoDump, replayEchoDump } from './lib/echo-dump-replay.js';

const argv = process.argv.slice(2);
const dir = argv[0]!;
const option = (name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const RATE = 24000;
const dump = loadEchoDump(dir);
const { mic, ref } = dump;
const out = new Int16Array(mic.length);
const linear = new Float64Array(mic.length);
let linearAt = 0;
const decisions: EchoBlockDecision[] = [];
const canceller = new AcousticEchoCanceller(RATE, {
  maxDelayMs: 700,
  onBlock: (_m, residual) => { linear.set(residual, linearAt); linearAt += residual.length; },
  onDecision: argv.includes('--trace') ? (decision) => decisions.push(decision) : undefined,
});
const started = process.cpuUsage();
// Replays the chunks as captured, the speaker's clears (barge-in) and reported under-runs between them.
out.set(replayEchoDump(dump, canceller, { withoutUnderruns: argv.includes('--no-underruns') }));
const cpu = process.cpuUsage(started);
const seconds = mic.length / RATE;
const lat = canceller.latencySamples;
const half = RATE / 2;
const db = (x: number): string => (10 * Math.log10(Math.max(x, 1e-3))).toFixed(1).padStart(6);
let totalMic = 0; let totalOut = 0; let totalLin = 0;
/** Half seconds whose echo left the canceller louder than -55 dBFS: what a server's VAD may take for speech. */
const leaks: string[] = [];
for (let at = 0; at + half <= mic.length; at += half) {
  let m = 0; let r = 0; let o = 0; let l = 0;
  for (let i = at; i < at + half; i++) {
    m += mic[i]! ** 2; r += ref[i]! ** 2;
    if (i + lat < out.length) o += out[i + lat]! ** 2;
    l += linear[i]! ** 2;
  }
  const echoy = r > half * 1e4 || m > half * 1e3;
  if (echoy) { totalMic += m; totalOut += o; totalLin += l; }
  const outDbfs = 10 * Math.log10(Math.max(o, 1) / half / 32768 ** 2);
  if (r > half * 1e4 && outDbfs > -55) leaks.push(`${(at / RATE).toFixed(1)} s (${outDbfs.toFixed(0)} dBFS)`);
  console.log(`${(at / RATE).toFixed(1).padStart(5)} s  ref ${db(r / half)}  mic ${db(m / half)}  linear ERLE ${db(m / Math.max(l, 1))} dB  attenuation ${db(m / Math.max(o, 1))} dB`);
}
console.log(`overall (windows with far end): linear ${(10 * Math.log10(totalMic / Math.max(totalLin, 1))).toFixed(1)} dB, attenuation ${(10 * Math.log10(totalMic / Math.max(totalOut, 1))).toFixed(1)} dB`);
console.log(`leaks above -55 dBFS while the far end played: ${leaks.length ? leaks.join(', ') : 'none'}`);
console.log(`status: ${JSON.stringify(canceller.status)}`);
console.log(`CPU ${((cpu.user + cpu.system) / 1e6 / seconds * 100).toFixed(2)} % of a core over ${seconds.toFixed(1)} s`);
if (argv.includes('--out')) writeFileSync(option('--out', ''), Buffer.from(out.buffer));

/** Where kaiwa serve's VAD (WebRTC, server_vad's defaults) hears speech start: what a peer would answer. */
async function speechStarts(pcm: Int16Array): Promise<number[]> {
  const detector = new TurnDetector(turnSettings(defaultServerVad()), RATE, 0, await loadSpeechDetectorFactory());
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  const chunk = (RATE / 50) * 2;
  const starts: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    for (const event of detector.push(bytes.subarray(offset, offset + chunk))) if (event.type === 'started') starts.push(event.audioStartMs);
  }
  return starts;
}
const heard = await speechStarts(out);
if (argv.includes('--trace')) for (const ms of heard) printBlocksAround(ms);
console.log(`the server's VAD hears speech start ${heard.length} times in the output (${(await speechStarts(mic)).length} in the microphone): ${heard.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ') || 'never'}`);


/** The blocks from 300 ms before a speech start (the VAD's prefix) to 500 ms after, whose output is above -80 dBFS. */
function printBlocksAround(ms: number): void {
  const dbfs = (x: number): string => (10 * Math.log10(Math.max(x, 1e-3) / 32768 ** 2)).toFixed(0).padStart(4);
  const flag = (on: boolean, letter: string): string => (on ? letter : '-');
  console.log(`--- speech start at ${(ms / 1000).toFixed(2)} s (mic, residual, output, expected echo in dBFS; Locked Filtering Cautious Gated cuT)`);
  for (const d of decisions) {
    const seconds = d.at / canceller.processingRate;
    if (seconds < ms / 1000 - Number(process.env.TRACE_BEFORE ?? 0.1) || seconds > ms / 1000 + 0.5 || (d.output < 32768 ** 2 * 1e-8 && !process.env.TRACE_ALL)) continue;
    console.log(`${seconds.toFixed(3)} mic${dbfs(d.mic)} res${dbfs(d.residual)} out${dbfs(d.output)} echo${dbfs(d.expectedEcho)} erle ${d.erleDb.toFixed(0).padStart(3)} coh ${d.echoShare.toFixed(2)} ne ${d.nearEnd.toFixed(2)} ${d.talking ? 'TALK' : '    '} ${flag(d.locked, 'L')}${flag(d.filtering, 'F')}${flag(d.cautious, 'C')}${flag(d.gated, 'G')}${flag(d.cut, 'T')}`);
  }
}
