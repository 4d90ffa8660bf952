/**
 * `node --import tsx bench/burst-profile.ts`: where kaiwa's CPU goes on the burst workload
 * (bench/parts/burst.ts), by function. kaiwa (the built CLI) alone against the burst peer on
 * a private PulseAudio for 40 s, with V8's sampling profiler (200 µs); prints the samples
 * from PROF_FROM seconds on (default 10: the steady part) up to PROF_TO (default: the end),
 * self and inclusive, in ms.
 * PROF_ARGS adds kaiwa flags (e.g. `--echo-guard off`); PROF_REPLY_SECONDS sets the reply's
 * length (default 30), PROF_LOOPBACK_MS plays the speaker back into the microphone (speakers). The profiler's own cost inflates the
 * totals: compare the shares, not the sums, with the bench's CPU rows. PROF_LINES (a
 * function name) adds where in it the samples fell, by line of dist/cli/program.cjs (whole
 * profile: V8 keeps no time per line sample).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPulse } from '../test/helpers/audio-pulse.js';
import { startBurstPeer } from './lib/burst-peer.js';
import { LONG_REQUEST, sleep } from './lib/duplex.js';
import { asEntry } from './lib/entry-node-flags.js';
const dir = mkdtempSync(join(tmpdir(), 'kaiwa-profile-'));
const pulse = await startPulse();
const loopbackMs = process.env.PROF_LOOPBACK_MS;
if (loopbackMs) pulse.pactl('load-module', 'module-loopback', 'source=spk.monitor', 'sink=mic', `latency_msec=${loopbackMs}`, 'source_dont_move=true', 'sink_dont_move=true');
const peer = await startBurstPeer({ replySeconds: Number(process.env.PROF_REPLY_SECONDS ?? 30), deltaMs: 100, firstAudioAfterMs: 800 });
const extra = (process.env.PROF_ARGS ?? '').split(' ').filter(Boolean);
try {
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval', '200', ...asEntry('dist/cli/main.cjs'), '--url', `${peer.url}/kaiwa/v1`, '--text', LONG_REQUEST, ...extra], { env: { ...process.env, OPENAI_API_KEY: 'sk-bench' }, stdio: ['pipe', 'ignore', 'inherit'] });
  await sleep(40000);
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
} finally { await peer.close(); await pulse.stop(); }
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
rmSync(dir, { recursive: true, force: true });
const nodes = new Map<number, any>(prof.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>(); for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const from = Number(process.env.PROF_FROM ?? 10) * 1e6;
const to = Number(process.env.PROF_TO ?? Infinity) * 1e6;
let t = prof.startTime; const self = new Map<string, number>(); const incl = new Map<string, number>(); let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i]; const dt = prof.timeDeltas[i + 1] ?? 0;
  if (t - prof.startTime < from || t - prof.startTime >= to) continue;
  const n = nodes.get(prof.samples[i])!; const cf = n.callFrame;
  if (cf.functionName === '(idle)') continue;
  total += dt;
  const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`;
  self.set(key, (self.get(key) ?? 0) + dt);
  const seen = new Set<string>(); let id: number | undefined = n.id;
  while (id !== undefined) { const f = nodes.get(id)!.callFrame; const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`; if (!seen.has(k)) { incl.set(k, (incl.get(k) ?? 0) + dt); seen.add(k); } id = parent.get(id); }
}
console.log('total non-idle ms', Math.round(total / 1000));
console.log('--- self'); for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(Math.round(v / 100) / 10, k);
console.log('--- inclusive'); for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(Math.round(v / 100) / 10, k);
const linesOf = process.env.PROF_LINES;
if (linesOf) {
  const ticks = new Map<number, number>();
  for (const n of prof.nodes) {
    if (n.callFrame.functionName !== linesOf) continue;
    for (const { line, ticks: count } of n.positionTicks ?? []) ticks.set(line, (ticks.get(line) ?? 0) + count);
  }
  console.log(`--- samples in ${linesOf}, by line`);
  for (const [line, count] of [...ticks].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(count, `line ${line}`);
}
