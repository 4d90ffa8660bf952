/**
 * The acoustic loop of issue 13, measured: kaiwa's speaker (PulseAudio null sink "spk")
 * comes back into its microphone ("mic") through module-loopback with a delay and a
 * gain, and a peer (kaiwa serve: WebRTC VAD, pocketsphinx, espeak-ng) answers every
 * speech turn it detects. One typed question, then `--seconds` of conversation: every
 * response past the first was triggered by kaiwa's own voice. Per cell: responses and
 * self-triggered ones, echo attenuation (mean power of the raw microphone over mean power
 * of the audio kaiwa sent, during the first reply from 1 s in; chunks kept back by a
 * closed microphone do not count), kaiwa's own convergence report and fallbacks.
 * `--echo-guard in-process` (kaiwa's canceller) and `pulse` (PulseAudio's module) side by side.
 * Then barge-in at 300 ms: a question spoken 1.5 s into a reply.
 *
 *   node --import tsx bench/echo-loop.ts [--modes in-process,pulse] [--delays 60,150,300,500]
 *     [--gains -20,-6,0] [--seconds 40] [--second-after S] [--barge | --barge-only] [--barge-gain DB] [--out FILE]
 * --second-after S: a second typed question S seconds after the first reply has played out (the
 * speaker idle between replies, as in a real conversation): its reply's echo is the one that leaks.
 * (npm run build first: it runs dist/cli/main.cjs.)
 */
import { writeFileSync, rmSync } from 'node:fs';
import { SourceCapture, converseOnRig, count, playInto, startLoopRig, type LoopRig } from '../test/helpers/loop-scenario.js';
import { speechWav, tempDir, wavData } from '../test/helpers/wav-fixtures.js';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : fallback);
const modes = option('--modes', 'in-process,pulse').split(',');
const delays = option('--delays', '60,150,300,500').split(',').map(Number);
const gains = option('--gains', '-20,-6,0').split(',').map(Number);
const seconds = Number(option('--seconds', '40'));
const secondAfter = argv.includes('--second-after') ? Number(option('--second-after', '3')) : undefined;
const SECOND_QUESTION = 'And what about the trains to Kyoto and the temples there in the spring?';
/** The echo's gain in the barge-in run (--barge-gain -120 and --modes off: the peer's detection without echo, a baseline). */
const bargeGainDb = Number(option('--barge-gain', '-6'));
const outFile = argv.includes('--out') ? option('--out', '') : undefined;
const log = (line: string): void => { process.stderr.write(`${line}\n`); };

const QUESTION = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall.';
/** PulseAudio volumes are cubic: amplitude = (percent / 100)³. */
const volumePercent = (gainDb: number): number => 100 * 10 ** (gainDb / 60);

interface Cell {
  mode: string; delayMs: number; gainDb: number;
  responses: number; selfTriggered: number; speechStarts: number;
  attenuationDb: number | undefined; convergence: string; fallbacks: number; latencyRestarts: string[]; exitCode: number | null;
}

function meanPower(samples: Int16Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return sum / Math.max(samples.length, 1);
}

function sentBetween(rig: LoopRig, from: number, to: number): Int16Array {
  const chunks = rig.proxy.log
    .filter((e) => e.from === 'client' && e.type === 'input_audio_buffer.append' && e.at >= from && e.at < to)
    .map((e) => Buffer.from((e.event as { audio: string }).audio, 'base64'));
  const all = Buffer.concat(chunks);
  return new Int16Array(all.buffer, all.byteOffset, Math.floor(all.length / 2));
}

const firstAt = (rig: LoopRig, type: string): number | undefined => rig.proxy.log.find((e) => e.from === 'server' && e.type === type)?.at;

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

async function cell(mode: string, delayMs: number, gainDb: number): Promise<Cell> {
  const rig = await startLoopRig({ delayMs, volumePercent: volumePercent(gainDb) });
  try {
    let attenuationDb: number | undefined;
    const endsAt = performance.now() + seconds * 1000;
    const result = await converseOnRig(rig, ['--echo-guard', mode, '--debug'], async (child) => {
      child.stdin.write(`${QUESTION}\n`);
      await measure();
      if (secondAfter !== undefined) await askAgainAfterIdle(child);
      // The cell lasts `seconds` whatever happens: every response past the first is a loop.
      await waitFor(() => performance.now() >= endsAt, seconds * 1000 + 5000);
    }, seconds * 1000 + 10_000);
    async function measure(): Promise<void> {
      const raw = new SourceCapture('mic.monitor', 24000);
      await raw.ready();
      if (!await waitFor(() => firstAt(rig, 'response.output_audio.delta') !== undefined, 20_000)) { await raw.stop(); return; }
      const start = firstAt(rig, 'response.output_audio.delta')! + 1000;
      await waitFor(() => performance.now() > start + 5000, 10_000);
      const captured = await raw.stop();
      // The last 5 s of the raw capture against what kaiwa sent in the same 5 s.
      const rawWindow = captured.subarray(Math.max(0, captured.length - 5 * 24000));
      const sent = sentBetween(rig, start + 60, start + 5060);
      if (sent.length > 0) attenuationDb = 10 * Math.log10(meanPower(rawWindow) / Math.max(meanPower(sent), 1e-3));
    }
    async function askAgainAfterIdle(child: { stdin: NodeJS.WritableStream }): Promise<void> {
      await waitFor(() => count(rig.proxy, 'server', 'response.done') >= 1, 30_000);
      const deltas = rig.proxy.log.filter((e) => e.from === 'server' && e.type === 'response.output_audio.delta');
      const audioMs = deltas.reduce((ms, e) => ms + Buffer.from((e.event as { delta: string }).delta, 'base64').length / 48, 0);
      const playedOut = (deltas[0]?.at ?? performance.now()) + audioMs;
      await waitFor(() => performance.now() > playedOut + secondAfter! * 1000, audioMs + secondAfter! * 1000 + 10_000);
      child.stdin.write(`${SECOND_QUESTION}\n`);
    }
    const responses = count(rig.proxy, 'server', 'response.created');
    const asked = secondAfter === undefined ? 1 : 2;
    const convergence = result.stderr.match(/echo canceller holding (\d+) ms after[^:]*: delay ([\d.]+) ms, ([\d.]+) dB removed \(ERLE ([\d.]+) dB\)/);
    return {
      mode, delayMs, gainDb, responses, selfTriggered: Math.max(responses - asked, 0),
      speechStarts: count(rig.proxy, 'server', 'input_audio_buffer.speech_started'),
      attenuationDb,
      convergence: convergence ? `${convergence[1]} ms (delay ${convergence[2]} ms, ${convergence[3]} dB, ERLE ${convergence[4]} dB)` : mode === 'in-process' ? 'not reported' : '—',
      fallbacks: (result.stderr.match(/half-duplex for the rest of this reply/g) ?? []).length,
      // The player restarted between replies because the output latency grew (issue 13, fourth pass).
      latencyRestarts: [...result.stderr.matchAll(/echo path delay grew from (\d+) to (\d+) ms/g)].map((m) => `${m[1]}→${m[2]}`),
      exitCode: result.code,
    };
  } finally {
    await rig.close();
  }
}

interface Barge { mode: string; detectedMs: number | undefined; truncated: boolean; answered: boolean; keptPercent: number | undefined }

async function bargeIn(mode: string): Promise<Barge> {
  const rig = await startLoopRig({ delayMs: 300, volumePercent: volumePercent(bargeGainDb) });
  const dir = tempDir();
  try {
    const wav = speechWav(dir, 'Excuse me, can I ask you something else about the trains?', 24000);
    let playedAt: number | undefined;
    const result = await converseOnRig(rig, ['--echo-guard', mode, '--debug'], async (child) => {
      child.stdin.write(`${QUESTION}\n`);
      await waitFor(() => firstAt(rig, 'response.output_audio.delta') !== undefined, 20_000);
      await waitFor(() => performance.now() > firstAt(rig, 'response.output_audio.delta')! + 1500, 5000);
      playedAt = performance.now();
      // For bench/echo-replay-set.ts: where the question begins in the dump.
      if (process.env['KAIWA_ECHO_DUMP']) writeFileSync(`${process.env['KAIWA_ECHO_DUMP']}/question-wall.txt`, String(Date.now()));
      await playInto('mic', wav);
      await waitFor(() => count(rig.proxy, 'server', 'response.done') >= 2, 15_000);
    }, 40_000);
    const started = rig.proxy.log.find((e) => e.from === 'server' && e.type === 'input_audio_buffer.speech_started' && playedAt !== undefined && e.at >= playedAt);
    const clean = wavData(wav);
    const cleanSamples = new Int16Array(clean.buffer, clean.byteOffset, clean.length / 2);
    let keptPercent: number | undefined;
    if (playedAt !== undefined) {
      // The user's question as it reached the peer (from 50 ms after it was played: kaiwa's own latency).
      const sent = sentBetween(rig, playedAt + 50, playedAt + 50 + (cleanSamples.length / 24));
      let sentEnergy = 0; for (const v of sent) sentEnergy += v * v;
      let cleanEnergy = 0; for (const v of cleanSamples) cleanEnergy += v * v;
      keptPercent = (100 * sentEnergy) / cleanEnergy;
    }
    return {
      mode,
      detectedMs: started && playedAt !== undefined ? started.at - playedAt : undefined,
      truncated: /interrupted \S+ after \d+ ms \(truncated\)/.test(result.stderr),
      answered: count(rig.proxy, 'server', 'response.created') >= 2,
      keptPercent,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await rig.close();
  }
}

const cells: Cell[] = [];
for (const delayMs of argv.includes('--barge-only') ? [] : delays) {
  for (const gainDb of gains) {
    for (const mode of modes) {
      log(`${mode}, ${delayMs} ms, ${gainDb} dB…`);
      const result = await cell(mode, delayMs, gainDb);
      log(`  ${JSON.stringify(result)}`);
      cells.push(result);
    }
  }
}
const barges: Barge[] = [];
if (argv.includes('--barge') || argv.includes('--barge-only')) {
  for (const mode of modes) {
    log(`barge-in, ${mode}, 300 ms…`);
    const result = await bargeIn(mode);
    log(`  ${JSON.stringify(result)}`);
    barges.push(result);
  }
}
const fmt = (v: number | undefined, digits = 1): string => (v === undefined ? 'n/a' : v.toFixed(digits));
const lines = [
  `| delay | gain | mode | responses (self-triggered) in ${seconds} s | echo attenuation | convergence (kaiwa's report) | fallbacks to half-duplex | player restarts for latency (ms) |`,
  '|---|---|---|---|---|---|---|---|',
  ...cells.map((c) => `| ${c.delayMs} ms | ${c.gainDb} dB | ${c.mode} | ${c.responses} (${c.selfTriggered}) ${c.selfTriggered === 0 ? '✓' : '✗'} | ${fmt(c.attenuationDb)} dB | ${c.convergence} | ${c.fallbacks} | ${c.latencyRestarts.join(', ') || '0'} |`),
];
if (barges.length) {
  lines.push('', '| barge-in at 300 ms | speech_started after | truncated | answered | user speech energy reaching the peer |', '|---|---|---|---|---|');
  for (const b of barges) lines.push(`| ${b.mode} | ${fmt(b.detectedMs, 0)} ms | ${b.truncated ? 'yes' : 'no'} | ${b.answered ? 'yes' : 'no'} | ${fmt(b.keptPercent, 0)} % |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
if (outFile) writeFileSync(outFile, `${lines.join('\n')}\n`);
