/** Starts bench-server-child.ts (a kaiwa serve in its own process) and samples its memory and CPU. */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SessionLimits } from '../../src/server/server-session.js';

export interface BenchServerConfig {
  /** Turn detection: the real WebRTC detector, the tests' energy detector, or none. */
  detector?: 'webrtc' | 'energy' | 'none';
  /** 'fixed' answers every turn with `fixedText` (default); 'pocketsphinx' is the installed recognizer. */
  transcriber?: 'fixed' | 'pocketsphinx';
  fixedText?: string;
  /** 'espeak': the installed voice; 'tone': test tones sent at once; 'paced-tone': tones at real-time speed. */
  voice?: 'espeak' | 'tone' | 'paced-tone' | 'none';
  /** 'echo' (kaiwa serve's default) or 'talk' (a long answer to anything). */
  engine?: 'echo' | 'talk';
  tls?: boolean;
  limits?: Partial<SessionLimits>;
  maxSessions?: number;
}

export interface BenchSample {
  at: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  cpuMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** True when a full GC ran just before (the child runs with --expose-gc). */
  collected: boolean;
}

export type BenchServerMessage =
  | { type: 'sample'; id: number; gc: boolean; resetLoopDelay?: boolean }
  | { type: 'stop' };

export interface BenchServer {
  url: string;
  certificate: string | undefined;
  pid: number;
  sample(options?: { gc?: boolean; resetLoopDelay?: boolean }): Promise<BenchSample>;
  stop(): Promise<void>;
}

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'bench-server-child.ts');

export async function startBenchServer(config: BenchServerConfig, timeoutMs = 30_000): Promise<BenchServer> {
  const child: ChildProcess = fork(CHILD, [], {
    // BENCH_SERVER_NODE_ARGS adds Node flags to the server (e.g. --cpu-prof to see where its time goes).
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    env: { ...process.env, BENCH_SERVER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const listening = await new Promise<{ url: string; certificate?: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bench server did not start')), timeoutMs);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the bench server exited (${code}) during start-up`)); });
    child.on('message', (message: { type: string; url?: string; certificate?: string }) => {
      if (message.type !== 'listening') return;
      clearTimeout(timer);
      resolve(message as { url: string; certificate?: string });
    });
  });
  let nextId = 1;
  const waiting = new Map<number, (sample: BenchSample) => void>();
  child.on('message', (message: { type: string; id?: number; sample?: BenchSample }) => {
    if (message.type === 'sample') waiting.get(message.id!)?.(message.sample!);
  });
  return {
    url: listening.url,
    certificate: listening.certificate,
    pid: child.pid!,
    sample: (options = {}) => new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, (sample) => { waiting.delete(id); resolve(sample); });
      child.send({ type: 'sample', id, gc: options.gc ?? false, resetLoopDelay: options.resetLoopDelay ?? false } satisfies BenchServerMessage);
    }),
    stop: async () => {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'stop' } satisfies BenchServerMessage);
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    },
  };
}
