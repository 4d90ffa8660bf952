/**
 * `node --import tsx bench/burst-trace.ts [seconds] -- <node flags>`: kaiwa (the built CLI) alone
 * on the burst workload (bench/parts/burst.ts) with V8 flags of one's choosing (e.g.
 * `--trace-opt --trace-deopt`, `--trace-gc`), its output (where V8 prints them) prefixed
 * with the second of the conversation it came in. For finding what runs when in a CPU
 * row's gap; not a goal.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { startPulse } from '../test/helpers/audio-pulse.js';
import { startBurstPeer } from './lib/burst-peer.js';
import { LONG_REQUEST, sleep } from './lib/duplex.js';
import { asEntry } from './lib/entry-node-flags.js';

const split = process.argv.indexOf('--');
const seconds = Number(process.argv[2] && process.argv[2] !== '--' ? process.argv[2] : 40);
const flags = split < 0 ? [] : process.argv.slice(split + 1);
const pulse = await startPulse();
const peer = await startBurstPeer({ replySeconds: 30, deltaMs: 100, firstAudioAfterMs: 800 });
try {
  const started = performance.now();
  const child = spawn(process.execPath, [...flags, ...asEntry(process.env.TRACE_BUILD ?? 'dist/cli/main.cjs'), '--url', `${peer.url}/kaiwa/v1`, '--text', LONG_REQUEST],
    { env: { ...process.env, OPENAI_API_KEY: 'sk-bench' }, stdio: ['pipe', 'pipe', 'inherit'] });
  createInterface({ input: child.stdout! }).on('line', (line) => console.log(`${((performance.now() - started) / 1000).toFixed(1).padStart(5)} ${line}`));
  await sleep(seconds * 1000);
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
} finally {
  await peer.close();
  await pulse.stop();
}
