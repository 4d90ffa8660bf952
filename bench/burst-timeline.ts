/**
 * `node --import tsx bench/burst-timeline.ts [rounds]`: when, in a run of the burst workload
 * (bench/parts/burst.ts: a 30 s reply in one burst, 40 s of microphone through a private
 * PulseAudio), kaiwa's CPU goes, beside kaiwa `--echo-guard off` and the article's script run at the same time: each
 * process's CPU of all threads (/proc/PID/task/*\/schedstat) per second of its life and over
 * its shutdown (Ctrl-C to exit, from bench/lib/cpu-report.mjs), and
 * what the first spent beyond the second and beyond the script, span by span. TIMELINE_OTHER_BUILD (a
 * main.cjs) replaces the second with another build run with the same flags as the first;
 * TIMELINE_ARGS adds flags to the first. Linux only. For finding where a CPU row's gap
 * is (start-up, the burst, the first seconds of playback, the steady part), not a goal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPulse } from '../test/helpers/audio-pulse.js';
import { startBurstPeer } from './lib/burst-peer.js';
import { LONG_REQUEST } from './lib/duplex.js';
import { cpuPerSecond } from './lib/thread-cpu.js';
import { bundleClient } from './lib/bundle.js';
import { asEntry } from './lib/entry-node-flags.js';
import { CPU_REPORT_PRELOAD, readCpuReport } from './lib/measured-process.js';

const KAIWA = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));
const SECONDS = 40;
const rounds = Number(process.argv[2] ?? 2);
const extra = (process.env.TIMELINE_ARGS ?? '').split(' ').filter(Boolean);
const other = process.env.TIMELINE_OTHER_BUILD;

const reports = mkdtempSync(join(tmpdir(), 'kaiwa-timeline-'));

/** A client with bench/lib/cpu-report.mjs preloaded: its CPU at exit is in `reportOf(name)`, for the shutdown's share. */
function client(name: string, script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', CPU_REPORT_PRELOAD, ...asEntry(script), ...args], {
    env: { ...process.env, ...env, BENCH_CPU_FILE: reportOf(name) }, stdio: ['pipe', 'ignore', 'inherit'],
  });
}

const reportOf = (name: string): string => join(reports, `${name}.json`);

function kaiwa(url: string, name: string, main: string, args: string[]): ChildProcess {
  return client(name, main, ['--url', `${url}/${name}/v1`, '--text', LONG_REQUEST, ...args], { OPENAI_API_KEY: 'sk-bench' });
}

function articleScript(url: string, script: string, round: number): ChildProcess {
  return client(`script${round}`, script, [],
    { OPENAI_API_KEY: 'sk-bench', OPENAI_REALTIME_URL: `${url}/script${round}/realtime?model=gpt-4o-realtime-preview-2024-10-01`, BENCH_TEXT: LONG_REQUEST });
}

const script = await bundleClient('floor-burst');
const pulse = await startPulse();
const peer = await startBurstPeer({ replySeconds: 30, deltaMs: 100, firstAudioAfterMs: 800 });
try {
  for (let round = 1; round <= rounds; round++) {
    const first = kaiwa(peer.url, `first${round}`, KAIWA, extra);
    const second = other ? kaiwa(peer.url, `second${round}`, other, extra) : kaiwa(peer.url, `second${round}`, KAIWA, ['--echo-guard', 'off']);
    const floor = articleScript(peer.url, script, round);
    const [a, b, c] = await cpuPerSecond([first, second, floor], SECONDS).catch((error: unknown) => {
      for (const child of [first, second, floor]) child.kill('SIGINT');
      throw new Error(`${(error as Error).message}; appends received: ${JSON.stringify([...peer.appends])}`);
    });
    for (const child of [first, second, floor]) child.kill('SIGINT');
    await Promise.all([first, second, floor].map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(0) : child.once('exit', resolve)))));
    const sum = (list: number[], from = 0, to = list.length): number => Math.round(list.slice(from, to).reduce((x, y) => x + y, 0));
    // What each spent from the Ctrl-C to its exit: its whole CPU (process.cpuUsage, written at exit) less the seconds before.
    for (const [name, list] of [[`first${round}`, a!], [`second${round}`, b!], [`script${round}`, c!]] as const) {
      list.push(Math.max(0, readCpuReport(reportOf(name)).cpuMs - sum(list)));
    }
    const spans = (x: number[], y: number[]): string => [[0, 1], [1, 3], [3, 10], [10, 31], [31, 40], [40, 41]]
      .map(([from, to]) => `${from === SECONDS ? 'shutdown' : `${from}-${to} s`} ${sum(x, from, to) - sum(y, from, to)}`).join(', ');
    console.log(`round ${round}: first ${sum(a!)} ms, second ${sum(b!)} ms, article script ${sum(c!)} ms over ${SECONDS} s and the shutdown (the last number of each line)`);
    console.log(`  first − second by span: ${spans(a!, b!)}`);
    console.log(`  first − script by span: ${spans(a!, c!)}`);
    for (const [name, list] of [['first', a!], ['second', b!], ['script', c!]] as const) console.log(`  ${name.padEnd(7)} ${list.map((ms) => Math.round(ms)).join(' ')}`);
  }
} finally {
  await peer.close();
  await pulse.stop();
  rmSync(reports, { recursive: true, force: true });
}
