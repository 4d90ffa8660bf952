/**
 * A client measured whole as a user runs it: in a terminal (a tmux pane of its own, on a
 * private tmux server), so it draws its screen. Otherwise as startMeasured: cpu-report.mjs
 * preloaded, marks by SIGUSR2, stopped by SIGINT, read back from its report.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPU_REPORT_PRELOAD, readCpuReport, signalMarks, type MeasuredProcess } from './measured-process.js';
import { sleep } from './duplex.js';

export function startMeasuredInTerminal(script: string, args: string[], env: Record<string, string>): MeasuredProcess {
  const dir = mkdtempSync(join(tmpdir(), 'kaiwa-bench-cpu-'));
  const file = join(dir, 'cpu.json');
  const socket = join(dir, 'tmux');
  const tmux = (...tmuxArgs: string[]): string => execFileSync('tmux', ['-S', socket, ...tmuxArgs], { encoding: 'utf8', env: process.env });
  const variables = Object.entries({ ...env, BENCH_CPU_FILE: file }).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  // More than one word after the options: tmux runs the command itself, no shell to quote for.
  tmux('new-session', '-d', '-x', '100', '-y', '30', '-c', process.cwd(), ...variables, process.execPath, '--import', CPU_REPORT_PRELOAD, script, ...args);
  tmux('set-option', 'remain-on-exit', 'on');
  const pid = Number(tmux('list-panes', '-F', '#{pane_pid}').trim());
  const running = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const kill = (signal: NodeJS.Signals = 'SIGTERM'): boolean => running() && process.kill(pid, signal);
  let screen = '';
  const capture = (): string => {
    try {
      screen = tmux('capture-pane', '-p');
    } catch {
      // the server is gone: the last screen captured stands
    }
    return screen;
  };
  const marks = signalMarks(kill, running);
  return {
    child: { kill },
    markStartupOver: marks.markStartupOver,
    markAt: marks.markAt,
    stop: async (graceMs = 15_000) => {
      kill('SIGINT');
      const deadline = Date.now() + graceMs;
      while (running() && Date.now() < deadline) await sleep(20);
      kill('SIGKILL');
      marks.cancel();
      capture();
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      try {
        return readCpuReport(file);
      } catch {
        throw new Error(`${script} in a terminal left no CPU report: ${screen.trim().slice(-1500)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    output: capture,
  };
}
