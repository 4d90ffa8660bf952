/**
 * `node --import tsx bench/burst-variants.ts [rounds] -- name=BUILD[:ENV=value,...][:--flag,...] ...`:
 * several kaiwa configurations on the burst workload (bench/parts/burst.ts: a 30 s reply in
 * one burst, 40 s of microphone through a private PulseAudio) at the same time, beside the
 * article's script: each process's CPU of all threads by span of its life (0-1, 1-3, 3-10,
 * 10-31, 31-40 s and the shutdown), every round, and the median of each over the rounds.
 * BUILD is a main.cjs (`.` for dist/cli/main.cjs); environment variables and kaiwa flags
 * follow it. VARIANTS_REPLY_SECONDS (default 30) sets the reply's length;
 * VARIANTS_LOOPBACK_MS plays the speaker back into the microphone with that latency (through
 * speakers, not headphones: every client hears all of them). For comparing throw-away builds
 * or switches in one run (background load hits them alike); not a goal. Linux only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPulse } from '../test/helpers/audio-pulse.js';
import { startBurstPeer } from './lib/burst-peer.js';
import { LONG_REQUEST } from './lib/duplex.js';
import { cpuPerSecond } from './lib/thread-cpu.js';
import { bundleClient } from './lib/bundle.js';
import { asEntry } from './lib/entry-node-flags.js';
import { CPU_REPORT_PRELOAD, readCpuReport } from './lib/measured-process.js';

interface Variant { name: string; main: string; env: Record<string, string>; args: string[] }

const SECONDS = 40;
const SPANS = [[0, 1], [1, 3], [3, 10], [10, 31], [31, 40], [40, 41]] as const;
const split = process.argv.indexOf('--');
const rounds = Number(split === 2 || split < 0 ? 3 : process.argv[2]);
const variants = (split < 0 ? [] : process.argv.slice(split + 1)).map(parseVariant);
if (variants.length === 0) throw new Error('give the variants after --: name=BUILD[:ENV=value,...][:--flag,...]');

function parseVariant(text: string): Variant {
  const at = text.indexOf('=');
  const name = text.slice(0, at);
  const rest = text.slice(at + 1);
  const [build, ...parts] = rest.split(':');
  const main = build === '.' ? fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url)) : resolve(build!);
  const env: Record<string, string> = {};
  const args: string[] = [];
  for (const item of parts.flatMap((part) => part.split(',')).filter(Boolean)) {
    if (item.startsWith('-')) args.push(...item.split(' '));
    else { const at = item.indexOf('='); env[item.slice(0, at)] = item.slice(at + 1); }
  }
  return { name, main, env, args };
}

const reports = mkdtempSync(join(tmpdir(), 'kaiwa-variants-'));
const reportOf = (name: string): string => join(reports, `${name}.json`);

function client(name: string, script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', CPU_REPORT_PRELOAD, ...asEntry(script), ...args], {
    env: { ...process.env, ...env, BENCH_CPU_FILE: reportOf(name) }, stdio: ['pipe', 'ignore', 'inherit'],
  });
}

const sum = (list: number[], from = 0, to = list.length): number => Math.round(list.slice(from, to).reduce((x, y) => x + y, 0));
const median = (list: number[]): number => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)]!;

const script = await bundleClient('floor-burst');
const pulse = await startPulse();
const loopbackMs = process.env.VARIANTS_LOOPBACK_MS;
if (loopbackMs) pulse.pactl('load-module', 'module-loopback', 'source=spk.monitor', 'sink=mic', `latency_msec=${loopbackMs}`, 'source_dont_move=true', 'sink_dont_move=true');
const peer = await startBurstPeer({ replySeconds: Number(process.env.VARIANTS_REPLY_SECONDS ?? 30), deltaMs: 100, firstAudioAfterMs: 800 });
const names = [...variants.map((variant) => variant.name), 'script'];
const results = new Map<string, number[][]>(names.map((name) => [name, []]));
try {
  // Each build once, so every round starts with its code cache written (as a user's second run).
  const warm = variants.map((variant) => client(`warm-${variant.name}`, variant.main, ['--version'], {}));
  await Promise.all(warm.map((child) => new Promise((done) => child.once('exit', done))));
  for (let round = 1; round <= rounds; round++) {
    const children = variants.map((variant) => client(`${variant.name}${round}`, variant.main,
      ['--url', `${peer.url}/${variant.name}${round}/v1`, '--text', LONG_REQUEST, ...variant.args], { OPENAI_API_KEY: 'sk-bench', ...variant.env }));
    children.push(client(`script${round}`, script, [], {
      OPENAI_API_KEY: 'sk-bench', OPENAI_REALTIME_URL: `${peer.url}/script${round}/realtime?model=gpt-4o-realtime-preview-2024-10-01`, BENCH_TEXT: LONG_REQUEST,
    }));
    const seconds = await cpuPerSecond(children, SECONDS).catch((error: unknown) => {
      for (const child of children) child.kill('SIGINT');
      throw error;
    });
    for (const child of children) child.kill('SIGINT');
    await Promise.all(children.map((child) => new Promise((done) => (child.exitCode !== null ? done(0) : child.once('exit', done)))));
    names.forEach((name, i) => {
      const list = seconds[i]!;
      list.push(Math.max(0, readCpuReport(reportOf(`${name}${round}`)).cpuMs - sum(list)));
      results.get(name)!.push(SPANS.map(([from, to]) => sum(list, from, to)));
    });
    console.log(`round ${round}: ${names.map((name) => `${name} ${results.get(name)!.at(-1)!.reduce((x, y) => x + y, 0)} (${results.get(name)!.at(-1)!.join(' ')})`).join(', ')} ms`);
  }
  console.log(`\nmedian over ${rounds} rounds, ms (spans ${SPANS.map(([from, to]) => (from === SECONDS ? 'shutdown' : `${from}-${to} s`)).join(', ')}; whole):`);
  for (const name of names) {
    const byRound = results.get(name)!;
    const spans = SPANS.map((_, i) => median(byRound.map((round) => round[i]!)));
    const whole = median(byRound.map((round) => round.reduce((x, y) => x + y, 0)));
    console.log(`  ${name.padEnd(14)} ${spans.map((ms) => String(ms).padStart(5)).join(' ')}   whole ${whole}`);
  }
} finally {
  await peer.close();
  await pulse.stop();
  rmSync(reports, { recursive: true, force: true });
}
