/** Runs a benchmark client in its own process (so its CPU time is its own) and collects its JSON result. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLIENTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'clients');

export async function runClient<T>(name: string, args: unknown, env: Record<string, string> = {}, timeoutMs = 180_000): Promise<T> {
  // BENCH_CLIENT_NODE_ARGS adds Node flags to every client (e.g. --cpu-prof to see where its time goes).
  const nodeArgs = process.env.BENCH_CLIENT_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', ...nodeArgs, join(CLIENTS, `${name}.ts`)], {
    env: { ...process.env, ...env, BENCH_ARGS: JSON.stringify(args) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const line = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`bench client ${name} failed (exit ${code}): ${out.slice(-2000)}`);
  return JSON.parse(line) as T;
}

/** In a client: its arguments. */
export function benchArgs<T>(): T {
  return JSON.parse(process.env.BENCH_ARGS ?? '{}') as T;
}

/** In a client: prints the result as the last stdout line and exits. */
export function report(result: unknown): never {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
