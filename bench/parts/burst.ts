/**
 * `--only burst`: client CPU when reply audio arrives as the service sends it. A peer
 * (bench/lib/burst-peer.ts) answers the typed request with a 30 s reply in one burst, its
 * transcript after the audio (its first audio 800 ms after the request, as the service's,
 * and after the client's first append), while each client's microphone streams for 40 s; the clients
 * run at the same time on real SoX devices through a private PulseAudio (null sinks):
 *
 *   kaiwa        the built CLI (dist/cli/main.cjs) as a user runs it, with a key, --url the peer
 *   floor        the article's script (bench/article-floor.ts), bundled to plain JavaScript
 *   kaiwa, no guard  kaiwa with --echo-guard off: what its echo canceller costs, beside
 *   kaiwa, terminal  kaiwa in a terminal (a tmux pane), drawing its screen as it does for a user
 *   kaiwa (wss)  kaiwa again over TLS, beside
 *   SDK (wss)    the official SDK (OpenAIRealtimeWS speaks only wss:) into a PacedPlayer
 *
 * Each kaiwa build runs once before the rounds, so that each round starts with its code cache
 * as a user's kaiwa does. Each process's CPU is its own (process.cpuUsage at exit, through bench/lib/cpu-report.mjs):
 * over its whole life, start-up and the Ctrl-C shutdown included, over the steady part
 * from its first append's arrival at the peer to its exit, and from 10 s after its start. BENCH_KAIWA_ARGS adds flags to
 * both kaiwa runs; BENCH_KAIWA_NODE_ARGS runs one more kaiwa with these Node flags, BENCH_KAIWA_OTHER_BUILD (a main.cjs) one of another build; BENCH_SHOW_OUTPUT=1 prints what each client wrote.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPulse } from '../../test/helpers/audio-pulse.js';
import { selfSignedCertificate } from '../../src/server/tls-certificate.js';
import { startBurstPeer, type BurstPeer } from '../lib/burst-peer.js';
import { bundleClient } from '../lib/bundle.js';
import { startMeasured, type MeasuredProcess, type ProcessCpu as MeasuredCpu } from '../lib/measured-process.js';
import { startMeasuredInTerminal } from '../lib/measured-terminal.js';
import { median } from '../lib/stats.js';
import { LONG_REQUEST, sleep } from '../lib/duplex.js';
import type { BenchContext } from '../lib/context.js';

export interface BurstSettings {
  rounds: number;
  /** How long each client runs (its microphone streams all along). */
  seconds: number;
  replySeconds: number;
  deltaMs: number;
}

/** A client's CPU, with the appends the peer received from it and how long its burst took to write. */
type ProcessCpu = MeasuredCpu & { appends?: number; burstWriteMs?: number };

/**
 * The moment every client's steady part is also taken from, the same for all: start-up and
 * the burst's arrival are behind each of them by then (the first append is not the same
 * moment for all: kaiwa's comes ~200 ms before the script's).
 */
const FIXED_MARK_MS = 10_000;

/**
 * The service's time to first audio: its reply starts 0.5-1 s after response.create. The
 * peer also waits for each client's first append, so every client's steady part holds its
 * burst (answered at once, the article's script had its burst before its first append,
 * kaiwa after: the steady part counted the burst for kaiwa alone).
 */
const FIRST_AUDIO_AFTER_MS = 800;

type ClientName = 'kaiwa' | 'floor' | 'kaiwa-no-guard' | 'kaiwa-terminal' | 'kaiwa-wss' | 'sdk' | 'kaiwa-node-args';
const LABEL: Record<ClientName, string> = {
  kaiwa: 'kaiwa', 'kaiwa-node-args': otherKaiwaLabel(), floor: 'article script', 'kaiwa-no-guard': 'kaiwa --echo-guard off', 'kaiwa-terminal': 'kaiwa in a terminal',
  'kaiwa-wss': 'kaiwa (wss)', sdk: 'official SDK (wss)',
};

/** The extra kaiwa: another build (BENCH_KAIWA_OTHER_BUILD, its main.cjs) and/or Node flags (BENCH_KAIWA_NODE_ARGS). */
function otherKaiwaLabel(): string {
  const build = process.env.BENCH_KAIWA_OTHER_BUILD;
  const nodeArgs = process.env.BENCH_KAIWA_NODE_ARGS;
  return ['kaiwa', build ? `of ${build}` : '', nodeArgs ? `with node ${nodeArgs}` : ''].filter(Boolean).join(' ');
}

export async function burst(settings: BurstSettings, context: BenchContext): Promise<void> {
  const { fmt, row, log } = context;
  const pulse = await startPulse();
  const certificate = await selfSignedCertificate('127.0.0.1');
  const caDir = mkdtempSync(join(tmpdir(), 'kaiwa-bench-ca-'));
  const caFile = join(caDir, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  const scripts = { floor: await bundleClient('floor-burst'), sdk: await bundleClient('sdk-burst') };
  const results = new Map<ClientName, ProcessCpu[]>();
  try {
    await warmCodeCaches(['dist/cli/main.cjs', ...(process.env.BENCH_KAIWA_OTHER_BUILD ? [process.env.BENCH_KAIWA_OTHER_BUILD] : [])]);
    for (let round = 0; round < settings.rounds; round++) {
      const finished = await oneRound(settings, scripts, caFile, certificate, round);
      for (const [name, cpu] of finished) {
        results.set(name, [...(results.get(name) ?? []), cpu]);
        log(`  ${LABEL[name]}: ${fmt(cpu.cpuMs, 0)} ms CPU over ${fmt(cpu.uptimeMs / 1000, 1)} s; steady ${fmt(cpu.steady?.cpuMs ?? NaN, 0)} ms over ${fmt((cpu.steady?.wallMs ?? NaN) / 1000, 1)} s (from ${FIXED_MARK_MS / 1000} s: ${fmt(cpu.afterFixedMark?.cpuMs ?? NaN, 0)} ms); ${cpu.appends} appends; burst written in ${fmt(cpu.burstWriteMs ?? NaN, 0)} ms`);
      }
    }
  } finally {
    await pulse.stop();
    rmSync(caDir, { recursive: true, force: true });
  }
  const whole = (name: ClientName) => results.get(name)!.map((r) => r.cpuMs);
  const steady = (name: ClientName) => results.get(name)!.map((r) => r.steady?.cpuMs ?? NaN);
  const ratio = (values: (name: ClientName) => number[], a: ClientName, b: ClientName) => median(values(a).map((v, i) => v / values(b)[i]!));
  const perRound = (values: (name: ClientName) => number[], a: ClientName, b: ClientName) =>
    settings.rounds > 1 ? ` (rounds: ${values(a).map((v, i) => fmt(v / values(b)[i]!)).join(', ')})` : '';
  const difference = (values: (name: ClientName) => number[], a: ClientName, b: ClientName) => median(values(a).map((v, i) => v - values(b)[i]!));
  const ms = (values: number[]) => `${fmt(median(values), 0)} ms${settings.rounds > 1 ? ` (${values.map((v) => fmt(v, 0)).join(', ')})` : ''}`;
  const workload = `${settings.replySeconds} s reply in one burst, ${settings.seconds} s microphone`;
  const overFloor = ratio(whole, 'kaiwa', 'floor');
  row(`(i) client CPU, whole process (${workload}, real SoX devices): kaiwa / article script`,
    `kaiwa ${ms(whole('kaiwa'))}, article script ${ms(whole('floor'))}; kaiwa / script = ${fmt(overFloor)}×${perRound(whole, 'kaiwa', 'floor')}`, '≤ 1.2×', overFloor <= 1.2);
  // Each append costs a pipe read, base64, JSON and a frame: how many each sent explains much of the rest.
  const appends = (name: ClientName) => median(results.get(name)!.map((r) => r.appends ?? NaN));
  row('    appends sent (its microphone chunks): kaiwa / article script',
    `kaiwa ${fmt(appends('kaiwa'), 0)}, article script ${fmt(appends('floor'), 0)} (the script one per SoX block, 8 KiB; kaiwa one per 4 KiB block while a turn may hang on it, six blocks at a time through a long quiet)`);
  const steadyOverFloor = ratio(steady, 'kaiwa', 'floor');
  row('    steady part (first append → exit): kaiwa / article script',
    `kaiwa ${ms(steady('kaiwa'))}, article script ${ms(steady('floor'))}; kaiwa / script = ${fmt(steadyOverFloor)}×${perRound(steady, 'kaiwa', 'floor')}`, '≤ 1.2×', steadyOverFloor <= 1.2);
  const fixed = (name: ClientName) => results.get(name)!.map((r) => r.afterFixedMark?.cpuMs ?? NaN);
  const fixedOverFloor = ratio(fixed, 'kaiwa', 'floor');
  row(`    steady part from ${FIXED_MARK_MS / 1000} s after start (→ exit), the same moment for both: kaiwa / article script`,
    `kaiwa ${ms(fixed('kaiwa'))}, article script ${ms(fixed('floor'))}; kaiwa / script = ${fmt(fixedOverFloor)}×${perRound(fixed, 'kaiwa', 'floor')}`, '≤ 1.2×', fixedOverFloor <= 1.2);
  // The script has no echo canceller: kaiwa without its own shows what the rest of kaiwa costs.
  row('    kaiwa --echo-guard off / article script: whole process, steady, from 10 s',
    `kaiwa --echo-guard off ${ms(whole('kaiwa-no-guard'))}; / script = ${fmt(ratio(whole, 'kaiwa-no-guard', 'floor'))}× whole, ${fmt(ratio(steady, 'kaiwa-no-guard', 'floor'))}× steady, ${fmt(ratio(fixed, 'kaiwa-no-guard', 'floor'))}× from ${FIXED_MARK_MS / 1000} s; the guard costs kaiwa ${fmt(difference(whole, 'kaiwa', 'kaiwa-no-guard'), 0)} ms (whole), ${fmt(difference(fixed, 'kaiwa', 'kaiwa-no-guard'), 0)} ms from ${FIXED_MARK_MS / 1000} s`);
  // How a user runs it: the screen (status bar, level meter, streamed lines) drawn as well.
  row('    kaiwa in a terminal (tmux, its screen drawn) / article script: whole process, steady, from 10 s',
    `kaiwa in a terminal ${ms(whole('kaiwa-terminal'))}; / script = ${fmt(ratio(whole, 'kaiwa-terminal', 'floor'))}× whole, ${fmt(ratio(steady, 'kaiwa-terminal', 'floor'))}× steady, ${fmt(ratio(fixed, 'kaiwa-terminal', 'floor'))}× from ${FIXED_MARK_MS / 1000} s; the screen costs kaiwa ${fmt(difference(whole, 'kaiwa-terminal', 'kaiwa'), 0)} ms (whole), ${fmt(difference(fixed, 'kaiwa-terminal', 'kaiwa'), 0)} ms from ${FIXED_MARK_MS / 1000} s`);
  row('    over wss, whole process (steady): kaiwa / official SDK',
    `kaiwa ${ms(whole('kaiwa-wss'))} (${fmt(median(steady('kaiwa-wss')), 0)}), SDK ${ms(whole('sdk'))} (${fmt(median(steady('sdk')), 0)}); kaiwa / SDK = ${fmt(ratio(whole, 'kaiwa-wss', 'sdk'))}× (steady ${fmt(ratio(steady, 'kaiwa-wss', 'sdk'))}×)`);
  if (results.has('kaiwa-node-args')) {
    row(`    ${LABEL['kaiwa-node-args']} / article script: whole process, steady, from 10 s`,
      `${ms(whole('kaiwa-node-args'))}; / script = ${fmt(ratio(whole, 'kaiwa-node-args', 'floor'))}× whole, ${fmt(ratio(steady, 'kaiwa-node-args', 'floor'))}× steady, ${fmt(ratio(fixed, 'kaiwa-node-args', 'floor'))}× from ${FIXED_MARK_MS / 1000} s; / kaiwa = ${fmt(ratio(whole, 'kaiwa-node-args', 'kaiwa'))}× whole`);
  }
  context.raw.burst = Object.fromEntries(results);
}

/** How long a conversation runs before kaiwa writes its code cache whole (saveAtExit's timer), and a little more. */
const CACHE_SETTLED_MS = 4000;

/**
 * Runs each kaiwa build once as a voice conversation, long enough to write its code cache,
 * and stops it: every round then starts as every run of a user's kaiwa but the first does
 * (a build fresh from `npm run build` otherwise paid its whole compile in round 1 alone:
 * ~60 ms, one build against another).
 */
async function warmCodeCaches(mains: string[]): Promise<void> {
  const peer = await startBurstPeer({ replySeconds: 1, deltaMs: 100 });
  try {
    const runs = mains.map((main, i) => startMeasured(main, ['--url', `${peer.url}/warm${i}/v1`, '--text', LONG_REQUEST], { OPENAI_API_KEY: 'sk-bench' }));
    await sleep(CACHE_SETTLED_MS);
    await Promise.all(runs.map((run) => run.stop()));
  } finally {
    await peer.close();
  }
}

async function oneRound(
  settings: BurstSettings, scripts: { floor: string; sdk: string }, caFile: string, tls: { cert: string; key: string }, round: number,
): Promise<Map<ClientName, ProcessCpu>> {
  const processes = new Map<ClientName, MeasuredProcess>();
  const onFirstAppend = (client: string) => processes.get(client as ClientName)?.markStartupOver();
  const peerOptions = { replySeconds: settings.replySeconds, deltaMs: settings.deltaMs, onFirstAppend, firstAudioAfterMs: FIRST_AUDIO_AFTER_MS };
  const plain = await startBurstPeer(peerOptions);
  const secure = await startBurstPeer({ ...peerOptions, tls });
  const key = { OPENAI_API_KEY: 'sk-bench' };
  try {
    // BENCH_KAIWA_ARGS adds flags to both kaiwa runs (e.g. --playback-lead-ms 1000, to see what pacing costs).
    const extra = process.env.BENCH_KAIWA_ARGS?.split(' ').filter(Boolean) ?? [];
    const kaiwaArgs = (peer: BurstPeer, name: string) => ['--url', `${peer.url}/${name}/v1`, '--text', LONG_REQUEST, ...extra];
    const starts: Array<readonly [ClientName, () => MeasuredProcess]> = [
      ['kaiwa', () => startMeasured('dist/cli/main.cjs', kaiwaArgs(plain, 'kaiwa'), key)],
      ['floor', () => startMeasured(scripts.floor, [], {
        ...key, OPENAI_REALTIME_URL: `${plain.url}/floor/realtime?model=gpt-4o-realtime-preview-2024-10-01`, BENCH_TEXT: LONG_REQUEST,
      })],
      ['kaiwa-no-guard', () => startMeasured('dist/cli/main.cjs', [...kaiwaArgs(plain, 'kaiwa-no-guard'), '--echo-guard', 'off'], key)],
      ['kaiwa-terminal', () => startMeasuredInTerminal('dist/cli/main.cjs', kaiwaArgs(plain, 'kaiwa-terminal'), key)],
      ['kaiwa-wss', () => startMeasured('dist/cli/main.cjs', kaiwaArgs(secure, 'kaiwa-wss'), { ...key, NODE_EXTRA_CA_CERTS: caFile })],
      ['sdk', () => startMeasured(scripts.sdk, [], {
        ...key, NODE_EXTRA_CA_CERTS: caFile, BENCH_BASE_URL: `${secure.url.replace(/^wss:/, 'https:')}/sdk/v1`, BENCH_TEXT: LONG_REQUEST,
      })],
    ];
    // BENCH_KAIWA_NODE_ARGS and/or BENCH_KAIWA_OTHER_BUILD run one more kaiwa beside the others: with these Node (V8) flags, of that build.
    const nodeArgs = process.env.BENCH_KAIWA_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const otherBuild = process.env.BENCH_KAIWA_OTHER_BUILD;
    if (nodeArgs.length || otherBuild) starts.push(['kaiwa-node-args', () => startMeasured(otherBuild ?? 'dist/cli/main.cjs', kaiwaArgs(plain, 'kaiwa-node-args'), key, nodeArgs)]);
    // Each round starts them in another order, so no client always has the same place: one
    // build run twice side by side differed by 1-37 ms of CPU from 10 s on (the one started
    // first lower in all 4 rounds) in one run, and by nothing in another.
    for (let i = 0; i < starts.length; i++) {
      const [name, start] = starts[(i + round) % starts.length]!;
      processes.set(name, start());
    }
    for (const child of processes.values()) child.markAt(FIXED_MARK_MS);
    await sleep(settings.seconds * 1000);
    const stopped: Array<readonly [ClientName, ProcessCpu]> = await Promise.all([...processes].map(async ([name, child]) => [name, await child.stop()] as const));
    for (const [name, cpu] of stopped) {
      if (!cpu.steady) throw new Error(`${LABEL[name]} never sent audio: ${processes.get(name)!.output().slice(-800)}`);
      const peer = name === 'kaiwa-wss' || name === 'sdk' ? secure : plain;
      const appends = peer.appends.get(name) ?? 0;
      if (appends < settings.seconds) throw new Error(`${LABEL[name]} sent only ${appends} appends in ${settings.seconds} s`);
      cpu.appends = appends;
      cpu.burstWriteMs = peer.burstWriteMs.get(name);
      // A client never sent its reply would be measured without the work the bench is about.
      if (cpu.burstWriteMs === undefined) throw new Error(`${LABEL[name]} was never sent its reply: ${processes.get(name)!.output().slice(-800)}`);
    }
    if (process.env.BENCH_SHOW_OUTPUT) for (const [name, child] of processes) process.stderr.write(`--- ${name}\n${child.output().slice(-1500)}\n`);
    return new Map(stopped);
  } finally {
    for (const child of processes.values()) child.child.kill('SIGKILL');
    await plain.close();
    await secure.close();
  }
}
