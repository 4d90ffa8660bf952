/**
 * A client process measured whole: started with bench/lib/cpu-report.mjs preloaded, told
 * when its start-up is over (SIGUSR2), stopped with SIGINT as a user's Ctrl-C would, and
 * read back: CPU over its lifetime and from the mark on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asEntry } from './entry-node-flags.js';

const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'cpu-report.mjs');

export interface ProcessCpu {
  /** CPU over the whole process lifetime (all threads), ms. */
  cpuMs: number;
  uptimeMs: number;
  /** CPU and wall time after the start-up mark (undefined when the mark never came). */
  steady?: { cpuMs: number; wallMs: number };
  /** The same after the fixed-time mark (markAt), the same moment of the workload for every client. */
  afterFixedMark?: { cpuMs: number; wallMs: number };
}

export interface MeasuredProcess {
  readonly child: Pick<ChildProcess, 'kill'>;
  /** Ends the start-up part of the measurement (the first time only). */
  markStartupOver(): void;
  /** Sets the fixed-time mark `ms` after the process started. */
  markAt(ms: number): void;
  /** SIGINT, then the numbers once it has exited (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<ProcessCpu>;
  output(): string;
}

export function startMeasured(script: string, args: string[], env: Record<string, string>, extraNodeArgs: string[] = []): MeasuredProcess {
  const dir = mkdtempSync(join(tmpdir(), 'kaiwa-bench-cpu-'));
  const file = join(dir, 'cpu.json');
  const nodeArgs = [...(process.env.BENCH_CLIENT_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...extraNodeArgs];
  const child = spawn(process.execPath, ['--import', PRELOAD, ...nodeArgs, ...asEntry(script), ...args], {
    env: { ...process.env, ...env, BENCH_CPU_FILE: file }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const marks = signalMarks((signal) => child.kill(signal), () => child.exitCode === null);
  return {
    child,
    markStartupOver: marks.markStartupOver,
    markAt: marks.markAt,
    stop: async (graceMs = 15_000) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(force);
      marks.cancel();
      try {
        return readCpuReport(file);
      } catch {
        throw new Error(`${script} left no CPU report (exit ${child.exitCode ?? child.signalCode}): ${output.slice(-1500)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    output: () => output,
  };
}

/**
 * The marks a measured process is sent (SIGUSR2, see cpu-report.mjs), in order: the start-up
 * mark always before the fixed one (which is not sent if the first never came).
 */
export function signalMarks(signal: (name: NodeJS.Signals) => void, running: () => boolean): Pick<MeasuredProcess, 'markStartupOver' | 'markAt'> & { cancel(): void } {
  let marked = false;
  let fixedTimer: NodeJS.Timeout | undefined;
  return {
    markStartupOver: () => {
      if (marked || !running()) return;
      marked = true;
      signal('SIGUSR2');
    },
    markAt: (ms) => {
      fixedTimer = setTimeout(() => {
        if (marked && running()) signal('SIGUSR2');
      }, ms);
    },
    cancel: () => clearTimeout(fixedTimer),
  };
}

/** What bench/lib/cpu-report.mjs wrote at the process's exit, as the numbers the bench reports. */
export function readCpuReport(file: string): ProcessCpu {
  const read = JSON.parse(readFileSync(file, 'utf8')) as { cpuMs: number; uptimeMs: number; marks: Array<{ cpuMs: number; uptimeMs: number }> };
  const since = (mark: { cpuMs: number; uptimeMs: number }) => ({ cpuMs: read.cpuMs - mark.cpuMs, wallMs: read.uptimeMs - mark.uptimeMs });
  const [startupOver, fixed] = read.marks;
  return {
    cpuMs: read.cpuMs, uptimeMs: read.uptimeMs,
    ...(startupOver ? { steady: since(startupOver) } : {}),
    ...(fixed ? { afterFixedMark: since(fixed) } : {}),
  };
}

/** The preload that writes a process's CPU report (node --import it). */
export const CPU_REPORT_PRELOAD = PRELOAD;
