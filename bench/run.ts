/**
 * `npm run bench`: client CPU and latency, barge-in, kaiwa serve's answer time and a
 * simulated hour's memory, printed as a table with the goals beside the numbers.
 * Every client runs in its own process against a kaiwa serve in another, on loopback.
 *
 *   --quick        shorter windows and fewer trials (about a minute)
 *   --out FILE     also write the table and raw numbers as Markdown
 *   --only a,c,... run some of the parts: duplex (a, b, f, g), barge (c), answer (d), memory (e),
 *                  canceller (h), burst (i), startup (j), fast-input (k)
 */
import { cpus, loadavg } from 'node:os';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchServer, type BenchServer } from '../test/helpers/bench-server.js';
import { startPulse } from '../test/helpers/audio-pulse.js';
import { runClient } from './lib/child.js';
import { median, percentile } from './lib/stats.js';
import type { DuplexResult } from './lib/duplex.js';
import type { BargeInResult } from './clients/barge-in.js';
import type { TurnTiming } from './clients/end-of-speech.js';
import type { LongSessionResult } from './clients/long-session.js';
import { errorMessage } from '../src/errors.js';
import { burst } from './parts/burst.js';
import { startup } from './parts/startup.js';
import { fastInput } from './parts/fast-input.js';
import { canceller } from './parts/canceller.js';
import type { BenchContext } from './lib/context.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const outFile = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined;
const only = argv.includes('--only') ? new Set(argv[argv.indexOf('--only') + 1]!.split(',')) : undefined;
const wants = (part: string) => !only || only.has(part);
const settings = quick
  ? { windowMs: 8000, warmupMs: 2000, rounds: 1, bargeTrials: 20, answerTurns: 10, minutes: 60 }
  : { windowMs: 15_000, warmupMs: 3000, rounds: 3, bargeTrials: 25, answerTurns: 10, minutes: 60 };

interface Row { metric: string; value: string; goal: string; met: '✓' | '✗' | '' }
const rows: Row[] = [];
const notes: string[] = [];
const raw: Record<string, unknown> = {};
const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const row = (metric: string, value: string, goal = '', met?: boolean) => rows.push({ metric, value, goal, met: met === undefined ? '' : met ? '✓' : '✗' });

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  node: process.version,
  loadBefore: loadavg().map((l) => l.toFixed(2)).join(' '),
};
log(`kaiwa bench on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node} (load average ${machine.loadBefore})${quick ? ', quick' : ''}`);

async function withServer<T>(config: Parameters<typeof startBenchServer>[0], run: (server: BenchServer) => Promise<T>): Promise<T> {
  const server = await startBenchServer(config);
  try {
    return await run(server);
  } finally {
    await server.stop();
  }
}

async function duplex(): Promise<void> {
  const plain = await startBenchServer({ engine: 'talk', voice: 'paced-tone', detector: 'none' });
  const tls = await startBenchServer({ engine: 'talk', voice: 'paced-tone', detector: 'none', tls: true });
  const caDir = mkdtempSync(join(tmpdir(), 'kaiwa-bench-'));
  const caFile = join(caDir, 'ca.pem');
  writeFileSync(caFile, tls.certificate!);
  // Clients that are compared run at the same time, so background load on the machine hits them alike.
  const groups: Array<Array<[string, BenchServer, Record<string, string>]>> = [
    // The last: the same library with kaiwa's own echo canceller (--echo-guard in-process) on a microphone that hears the reply.
    [['kaiwa-duplex', plain, {}], ['floor-duplex', plain, {}], ['kaiwa-duplex', plain, { BENCH_VARIANT: 'direct' }], ['kaiwa-duplex', plain, { BENCH_VARIANT: 'echo-guard' }]],
    [['kaiwa-duplex', tls, { NODE_EXTRA_CA_CERTS: caFile }], ['sdk-duplex', tls, {}]],
  ];
  // The same two clients on real SoX processes, recording and playing through a private
  // PulseAudio's virtual devices, as a user's kaiwa does.
  const pulse = await startPulse().catch((error: unknown) => {
    notes.push(`real-device duplex skipped: ${errorMessage(error)}`);
    return undefined;
  });
  if (pulse) groups.push([['kaiwa-duplex', plain, { BENCH_DEVICES: 'sox' }], ['floor-duplex', plain, { BENCH_DEVICES: 'sox' }]]);
  const results = new Map<string, DuplexResult[]>();
  try {
    for (let round = 0; round < settings.rounds; round++) {
      for (const group of groups) {
        const finished = await Promise.all(group.map(([name, server, env]) =>
          runClient<DuplexResult>(name, { url: server.url, certificate: server.certificate, warmupMs: settings.warmupMs, windowMs: settings.windowMs }, env)
            .then((result) => ({ result, secure: server === tls, sox: env.BENCH_DEVICES === 'sox' }))));
        for (const { result, secure, sox } of finished) {
          const key = `${result.client}${secure ? ' (wss)' : ''}${sox ? ' (sox)' : ''}`;
          results.set(key, [...(results.get(key) ?? []), result]);
          log(`  ${key}: ${fmt(cpuPercent(result))} % of a core, ${fmt(result.audioInS, 1)} s in / ${fmt(result.audioOutS, 1)} s out, ${fmt(result.deviceWritesPerS, 0)} pipe writes/s, delta→player p99 ${fmt(percentile(result.toPlayerMs, 99), 3)} ms`);
        }
      }
    }
  } finally {
    await plain.stop();
    await tls.stop();
    await pulse?.stop();
    rmSync(caDir, { recursive: true, force: true });
  }
  const rounds = (key: string) => results.get(key)!.map(cpuPercent);
  const cpu = (key: string) => median(rounds(key));
  const spread = (key: string) => (settings.rounds > 1 ? ` (rounds: ${rounds(key).map((v) => fmt(v)).join(', ')})` : '');
  /** Median over rounds of the ratio between two clients measured side by side. */
  const ratio = (a: string, b: string) => median(rounds(a).map((v, i) => v / rounds(b)[i]!));
  const ratios = (a: string, b: string) => (settings.rounds > 1 ? ` (per round: ${rounds(a).map((v, i) => fmt(v / rounds(b)[i]!)).join(', ')})` : '');
  const latencies = (key: string, field: 'toPlayerMs' | 'toDeviceMs') => results.get(key)!.flatMap((r) => r[field]);
  const writes = (key: string) => fmt(median(results.get(key)!.map((r) => r.deviceWritesPerS)), 0);
  const kaiwa = cpu('kaiwa');
  row('(a) client CPU, duplex audio (kaiwa library, ws), median', `${fmt(kaiwa)} % of a core = ${fmt((kaiwa / 100) * 60, 2)} CPU-s per minute${spread('kaiwa')}`, '< 2 % of a core', kaiwa < 2);
  row('    same, deltas straight to the pipe (no PacedPlayer)', `${fmt(cpu('kaiwa-direct'))} % of a core${spread('kaiwa-direct')}; pipe writes/s: ${writes('kaiwa-direct')} direct vs ${writes('kaiwa')} paced`);
  const withGuard = cpu('kaiwa-echo-guard');
  row('(a) same with the in-process echo canceller (echo 200 ms, -6 dB), median', `${fmt(withGuard)} % of a core${spread('kaiwa-echo-guard')}; the canceller's share ${fmt(withGuard - kaiwa)} %`, '< 2 % of a core', withGuard < 2);
  row('    same over wss (TLS)', `${fmt(cpu('kaiwa (wss)'))} % of a core${spread('kaiwa (wss)')}`);
  const player = latencies('kaiwa', 'toPlayerMs');
  const device = latencies('kaiwa', 'toDeviceMs');
  const p99 = percentile(player, 99);
  row('(b) delta on socket → bytes handed to the player, p50 / p99', `${fmt(percentile(player, 50), 3)} / ${fmt(p99, 3)} ms (${player.length} deltas)`, 'p99 < 5 ms', p99 < 5);
  row('    … → device write, when the player had room (p50 / p99)', `${fmt(percentile(device, 50), 3)} / ${fmt(percentile(device, 99), 3)} ms (${device.length} of ${player.length} deltas)`);
  const sdkPlayer = latencies('openai-sdk (wss)', 'toPlayerMs');
  row('(f) official SDK (OpenAIRealtimeWS, wss) CPU; kaiwa/official', `${fmt(cpu('openai-sdk (wss)'))} % of a core${spread('openai-sdk (wss)')}; kaiwa (wss) / SDK = ${fmt(ratio('kaiwa (wss)', 'openai-sdk (wss)'))}×${ratios('kaiwa (wss)', 'openai-sdk (wss)')}`);
  const kaiwaTlsPlayer = latencies('kaiwa (wss)', 'toPlayerMs');
  row('    SDK delta → player p50 / p99; kaiwa/official', `${fmt(percentile(sdkPlayer, 50), 3)} / ${fmt(percentile(sdkPlayer, 99), 3)} ms; kaiwa (wss) / SDK = ${fmt(percentile(kaiwaTlsPlayer, 50) / percentile(sdkPlayer, 50))}× / ${fmt(percentile(kaiwaTlsPlayer, 99) / percentile(sdkPlayer, 99))}×`);
  const overFloor = ratio('kaiwa', 'floor');
  if (results.has('kaiwa (sox)')) {
    const onDevices = cpu('kaiwa (sox)');
    row('(a) same on real SoX devices (private PulseAudio null sinks), median', `${fmt(onDevices)} % of a core${spread('kaiwa (sox)')}; floor ${fmt(cpu('floor (sox)'))} %${spread('floor (sox)')}; kaiwa / floor = ${fmt(ratio('kaiwa (sox)', 'floor (sox)'))}×${ratios('kaiwa (sox)', 'floor (sox)')}`, '< 2 % of a core', onDevices < 2);
  }
  row('(g) article script (floor) CPU; kaiwa/floor', `${fmt(cpu('floor'))} % of a core${spread('floor')}; kaiwa / floor = ${fmt(overFloor)}×${ratios('kaiwa', 'floor')}; without PacedPlayer ${fmt(ratio('kaiwa-direct', 'floor'))}×`, 'kaiwa/floor ≤ 1.2×', overFloor <= 1.2);
  raw.duplex = Object.fromEntries([...results].map(([key, list]) => [key, list.map((r) => ({ cpuPercent: cpuPercent(r), audioInS: r.audioInS, audioOutS: r.audioOutS, deltas: r.deltas, pipeWritesPerS: r.deviceWritesPerS }))]));
}

function cpuPercent(result: DuplexResult): number {
  return (result.cpuMs / result.windowMs) * 100;
}

async function bargeIn(): Promise<void> {
  const result = await withServer({ engine: 'talk', voice: 'paced-tone', detector: 'webrtc' }, (server) =>
    runClient<BargeInResult>('barge-in', { url: server.url, trials: settings.bargeTrials }));
  const p99 = percentile(result.stopMs, 99);
  row('(c) barge-in: speech_started arrives → player cleared, p50 / p99', `${fmt(percentile(result.stopMs, 50), 3)} / ${fmt(p99, 3)} ms (${result.stopMs.length} trials)`, '< 50 ms', p99 < 50 && result.failures.length === 0);
  row('    server VAD: first speech sample sent → speech_started, p50', `${fmt(percentile(result.detectMs, 50), 0)} ms`);
  if (result.failures.length) notes.push(`barge-in failures: ${result.failures.join('; ')}`);
  raw.bargeIn = result;
}

async function answerTime(): Promise<void> {
  for (const silenceMs of [500, 200, 'semantic'] as const) {
    const result = await withServer({ engine: 'echo', voice: 'espeak', detector: 'webrtc', transcriber: 'pocketsphinx' }, (server) =>
      runClient<{ turns: TurnTiming[]; failures: string[] }>('end-of-speech', { url: server.url, turns: settings.answerTurns, silenceMs }));
    const first = result.turns.map((turn) => turn.firstAudio);
    const part = (field: keyof TurnTiming) => fmt(median(result.turns.map((turn) => turn[field] as number)), 0);
    const p50 = percentile(first, 50);
    const detection = silenceMs === 'semantic' ? 'semantic_vad, eagerness auto' : `server_vad, silence_duration_ms ${silenceMs}${silenceMs === 500 ? ', the default' : ''}`;
    row(`(d) kaiwa serve: end of speech sent → first audio delta, p50 / p99 (${detection})`,
      `${fmt(p50, 0)} / ${fmt(percentile(first, 99), 0)} ms (${first.length} turns)`, '< 400 ms p50', p50 < 400);
    row('    on the way (medians): → speech_stopped / response.created / first transcript delta (recognized) / first audio', `${part('speechStopped')} / ${part('responseCreated')} / ${part('firstTranscript')} / ${part('firstAudio')} ms`);
    const afterWindow = result.turns.map((turn) => turn.firstAudio - turn.speechStopped);
    row('    after the turn ends: speech_stopped → first audio delta, p50 / p99', `${fmt(percentile(afterWindow, 50), 0)} / ${fmt(percentile(afterWindow, 99), 0)} ms`);
    if (result.failures.length) notes.push(`answer-time failures (${silenceMs} ms): ${result.failures.join('; ')}`);
    raw[`answer${silenceMs}`] = result;
  }
}

async function longSession(): Promise<void> {
  const result = await runClient<LongSessionResult>('long-session', { minutes: settings.minutes });
  const start = result.checkpoints[0]!;
  const end = result.checkpoints.at(-1)!;
  row(`(e) memory after a simulated ${result.minutes}-minute session (heap / RSS after GC)`,
    `heap ${fmt(start.heapUsedMb, 1)} → ${fmt(end.heapUsedMb, 1)} MB (+${fmt(end.heapUsedMb - start.heapUsedMb, 1)}), RSS ${fmt(start.rssMb, 0)} → ${fmt(end.rssMb, 0)} MB; ${result.items} items, ${result.responses} responses kept`);
  row('    event handling CPU per simulated minute, minutes 1-11 vs last 10', `${fmt(result.cpuMsPerMinuteEarly, 0)} vs ${fmt(result.cpuMsPerMinuteLate, 0)} ms (simulated in ${fmt(result.wallSeconds, 1)} s)`);
  raw.longSession = result;
}

const context: BenchContext = { quick, row, note: (line) => notes.push(line), log, fmt, raw };

const started = performance.now();
if (wants('duplex')) { log('duplex audio: kaiwa, floor, kaiwa direct, kaiwa wss, openai SDK…'); await duplex(); }
if (wants('barge')) { log('barge-in…'); await bargeIn(); }
if (wants('answer')) { log('kaiwa serve answer time…'); await answerTime(); }
if (wants('memory')) { log('simulated hour…'); await longSession(); }
if (wants('burst')) { log('reply audio in one burst: kaiwa CLI, article script, SDK on real SoX devices…'); await burst({ rounds: quick ? 1 : 3, seconds: 40, replySeconds: 30, deltaMs: 100 }, context); }
if (wants('startup')) { log('start-up…'); await startup({ runs: quick ? 7 : 15 }, context); }
if (wants('fast-input')) { log('kaiwa serve, speech streamed at 4× real time…'); await fastInput({ turns: 10, speed: 4 }, context); }
if (wants('canceller')) { log('echo canceller…'); await canceller(context); }
const loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');

const width = (key: keyof Row) => Math.max(...rows.map((r) => r[key].length), key.length);
const line = (r: Row) => `| ${r.metric.padEnd(width('metric'))} | ${r.value.padEnd(width('value'))} | ${r.goal.padEnd(width('goal'))} | ${r.met.padEnd(width('met'))} |`;
const header: Row = { metric: 'metric', value: 'result', goal: 'goal', met: 'met' } as unknown as Row;
const table = [line(header), `|${['metric', 'value', 'goal', 'met'].map((k) => '-'.repeat(width(k as keyof Row) + 2)).join('|')}|`, ...rows.map(line)].join('\n');
const summary = `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${machine.loadBefore} before, ${loadAfter} after; ${((performance.now() - started) / 1000).toFixed(0)} s${quick ? ' (--quick)' : ''}`;
process.stdout.write(`\n${summary}\n\n${table}\n${notes.map((note) => `\nnote: ${note}`).join('')}\n`);
if (outFile) writeFileSync(outFile, `${summary}\n\n${table}\n\n${notes.map((note) => `- ${note}`).join('\n')}\n\n<details><summary>raw</summary>\n\n\`\`\`json\n${JSON.stringify({ machine, settings, raw }, null, 1)}\n\`\`\`\n</details>\n`);
