/** Looking at processes through /proc (Linux), for tests that check none is left behind. */
import { readdirSync, readFileSync } from 'node:fs';

/** Gone, or a zombie waiting to be reaped: either way no longer running. */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/**
 * A process as it was seen: its PID and when it started. Killing by a bare PID risks
 * hitting an unrelated process that got the number after ours ended; this does not.
 */
export interface SeenProcess {
  pid: number;
  startTicks: string;
}

export function seen(pid: number): SeenProcess | undefined {
  const startTicks = statFields(pid)?.[19];
  return startTicks === undefined ? undefined : { pid, startTicks };
}

/** Still the process that was seen, and running. */
export function stillRunning(seenProcess: SeenProcess): boolean {
  return statFields(seenProcess.pid)?.[19] === seenProcess.startTicks && isRunning(seenProcess.pid);
}

/** SIGKILLs whichever of `processes` still run (a cleanup for `finally`). */
export function killLeftovers(processes: SeenProcess[]): void {
  for (const left of processes.filter(stillRunning)) process.kill(left.pid, 'SIGKILL');
}

/** Every process started, directly or not, by `root` and still parented under it. */
export function descendants(root: number): SeenProcess[] {
  const parents = new Map<number, number>();
  for (const pid of allPids()) {
    const parent = statFields(pid)?.[1];
    if (parent) parents.set(pid, Number(parent));
  }
  const found: number[] = [];
  let generation = [root];
  while (generation.length > 0) {
    const next = [...parents].filter(([, parent]) => generation.includes(parent)).map(([pid]) => pid);
    found.push(...next);
    generation = next;
  }
  return seenAll(found);
}

/** Running processes whose command line has every one of `words` as an argument. */
export function processesWithArguments(...words: string[]): SeenProcess[] {
  return seenAll(allPids().filter((pid) => {
    const args = read(`/proc/${pid}/cmdline`)?.split('\0') ?? [];
    return words.every((word) => args.includes(word)) && isRunning(pid);
  }));
}

function seenAll(pids: number[]): SeenProcess[] {
  return pids.flatMap((pid) => seen(pid) ?? []);
}

/** /proc/PID/stat after the command name: state, parent PID, … (field 3 onwards of proc(5)). */
function statFields(pid: number): string[] | undefined {
  const stat = read(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

/** A file of a process that may end while it is read. */
function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
