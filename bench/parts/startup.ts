/**
 * `--only startup`: how long the built CLI (dist/cli/main.cjs, as a user runs it) takes to
 * start, against a bare `node -e ''` timed in the same loop (one of each per iteration,
 * so background load hits them alike; medians):
 *
 *   kaiwa --version
 *   kaiwa --text hi --once --no-mic --no-speaker, offline (no key: the local server in-process)
 *   with a key against a local peer (bench/lib/burst-peer.ts), on real SoX devices through a
 *   private PulseAudio: process start → the first input_audio_buffer.append arriving at the
 *   peer (loopback: the moment it leaves); kaiwa also in a terminal (a window of a tmux
 *   server started beforehand), drawing its screen as it does for a user; the article's
 *   script beside them for scale
 */
import { spawn } from 'node:child_process';
import { startPulse } from '../../test/helpers/audio-pulse.js';
import { startBurstPeer } from '../lib/burst-peer.js';
import { bundleClient } from '../lib/bundle.js';
import { TerminalHost } from '../lib/measured-terminal.js';
import { median } from '../lib/stats.js';
import { asEntry } from '../lib/entry-node-flags.js';
import type { BenchContext } from '../lib/context.js';

const CLI = 'dist/cli/main.cjs';

export interface StartupSettings {
  runs: number;
}

export async function startup(settings: StartupSettings, context: BenchContext): Promise<void> {
  const { fmt, row } = context;
  const offlineEnv = withoutKey();
  const times = { node: [] as number[], version: [] as number[], offline: [] as number[] };
  for (let run = 0; run < settings.runs; run++) {
    times.node.push(await timed(['-e', ''], offlineEnv));
    times.version.push(await timed([...asEntry(CLI), '--version'], offlineEnv));
    times.offline.push(await timed([...asEntry(CLI), '--text', 'hi', '--once', '--no-mic', '--no-speaker'], offlineEnv));
  }
  const ratio = (values: number[]) => median(values.map((v, i) => v / times.node[i]!));
  const nodeMs = median(times.node);
  const version = ratio(times.version);
  row(`(j) start-up: kaiwa --version, median of ${settings.runs}; / bare node -e '' in the same loop`,
    `${fmt(median(times.version), 0)} ms vs node ${fmt(nodeMs, 0)} ms = ${fmt(version)}×`, '≤ 2×', version <= 2);
  const offline = ratio(times.offline);
  row('    offline kaiwa --text hi --once --no-mic --no-speaker; / node',
    `${fmt(median(times.offline), 0)} ms = ${fmt(offline)}×`, '≤ 5×', offline <= 5);
  const append = await firstAppend(Math.max(3, Math.ceil(settings.runs / 2)));
  row('    with a key, real SoX devices: process start → first input_audio_buffer.append, median',
    `kaiwa ${fmt(median(append.kaiwa), 0)} ms (${append.kaiwa.map((v) => fmt(v, 0)).join(', ')}); article script ${fmt(median(append.floor), 0)} ms`, '≤ 300 ms', median(append.kaiwa) <= 300);
  row('    the same, kaiwa in a terminal (its screen drawn; tmux starting the window counted), median',
    `${fmt(median(append.terminal), 0)} ms (${append.terminal.map((v) => fmt(v, 0)).join(', ')})`, '≤ 300 ms', median(append.terminal) <= 300);
  context.raw.startup = { ...times, firstAppend: append };
}

function withoutKey(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENAI_API_KEY;
  return env;
}

/** Wall time from spawn to exit. */
async function timed(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited with ${code}`);
  return performance.now() - started;
}

/** Process start → first append at the peer, for kaiwa (piped, then in a terminal) and the article script in turn. */
async function firstAppend(runs: number): Promise<{ kaiwa: number[]; terminal: number[]; floor: number[] }> {
  const pulse = await startPulse();
  const terminal = new TerminalHost();
  const floorScript = await bundleClient('floor-burst');
  let arrived: ((client: string) => void) | undefined;
  const peer = await startBurstPeer({ replySeconds: 1, deltaMs: 100, onFirstAppend: (client) => arrived?.(client) });
  const results = { kaiwa: [] as number[], terminal: [] as number[], floor: [] as number[] };
  const env = { ...process.env, OPENAI_API_KEY: 'sk-bench' };
  try {
    for (let run = 0; run < runs; run++) {
      for (const client of ['kaiwa', 'terminal', 'floor'] as const) {
        const name = `${client}${run}`;
        // Nothing typed: a reply playing would hold the microphone back (the echo guard), as it should.
        const args = client === 'floor' ? [floorScript] : [...asEntry(CLI), '--url', `${peer.url}/${name}/v1`];
        const childEnv = client === 'floor' ? { ...env, OPENAI_REALTIME_URL: `${peer.url}/${name}/realtime?model=gpt-4o-realtime-preview-2024-10-01` } : env;
        const appended = new Promise<number>((resolve) => { arrived = (from) => { if (from === name) resolve(performance.now()); }; });
        const started = performance.now();
        const stop = client === 'terminal' ? inTerminal(terminal, args) : piped(args, childEnv);
        const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(NaN), 20_000));
        results[client].push((await Promise.race([appended, timeout])) - started);
        await stop();
      }
    }
  } finally {
    await peer.close();
    terminal.close();
    await pulse.stop();
  }
  return results;
}

/** Starts `node args` with pipes for its output; returns how to stop it (Ctrl-C, then SIGKILL after 10 s). */
function piped(args: string[], env: NodeJS.ProcessEnv): () => Promise<void> {
  const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return async () => {
    child.kill('SIGINT');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  };
}

/** The same in a window of the terminal host (the key is its only variable; the rest is the host's environment). */
function inTerminal(host: TerminalHost, args: string[]): () => Promise<void> {
  const client = host.run([process.execPath, ...args], { OPENAI_API_KEY: 'sk-bench' });
  return () => client.stop(10_000);
}
