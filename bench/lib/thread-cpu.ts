import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { sleep } from './duplex.js';

/** CPU a running process has used so far, all its threads (/proc/PID/task/*\/schedstat), in ms. Linux only. */
export function threadCpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}

/**
 * Each process's CPU from `fromMs` to `fromMs + windowMs` from now; then each is sent SIGINT
 * and waited for. Returns one line: every name with its CPU over the window, in ms.
 */
export async function cpuOverWindow(processes: Array<[string, ChildProcess]>, fromMs: number, windowMs: number): Promise<string> {
  await sleep(fromMs);
  const before = processes.map(([, child]) => threadCpuMs(child.pid!));
  await sleep(windowMs);
  const after = processes.map(([, child]) => threadCpuMs(child.pid!));
  for (const [, child] of processes) child.kill('SIGINT');
  await Promise.all(processes.map(([, child]) => new Promise((resolve) => (child.exitCode !== null ? resolve(0) : child.once('exit', resolve)))));
  return processes.map(([name], i) => `${name} ${Math.round(after[i]! - before[i]!)} ms`).join(' · ');
}

/** Each process's CPU in each whole second of the next `seconds`; throws if one ends meanwhile. */
export async function cpuPerSecond(children: ChildProcess[], seconds: number): Promise<number[][]> {
  const samples = children.map(() => [0]);
  for (let second = 1; second <= seconds; second++) {
    await sleep(1000);
    const ended = children.find((child) => child.exitCode !== null || child.signalCode !== null);
    if (ended) throw new Error(`a client ended after ${second - 1} s (exit ${ended.exitCode ?? ended.signalCode})`);
    children.forEach((child, i) => samples[i]!.push(threadCpuMs(child.pid!)));
  }
  return samples.map((cumulative) => cumulative.slice(1).map((ms, i) => ms - cumulative[i]!));
}
