import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor as waitUntil } from './wait-for.js';

/**
 * Stand-ins for the sox binary, used through $KAIWA_SOX, to test process handling
 * (stubborn processes, odd output, early exits) that real SoX won't do on demand.
 * Each run appends its PID to NAME.pids so tests can check the process is gone.
 */
export function fakeSox(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\necho $$ >> '${path}.pids'\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

export function pidsOf(fakePath: string): number[] {
  const file = `${fakePath}.pids`;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

/** A zombie (killed, not yet reaped by whoever inherited it) counts as dead. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The shared deadline wait (wait-for.ts), in the argument order the audio tests use. */
export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  await waitUntil(condition, { what, timeoutMs, everyMs: 10 });
}
