/**
 * Clients run as a user runs them: in a terminal, so they draw their screen. Each runs in a
 * window of a private tmux server (its own socket), started once beforehand so that a run's
 * time holds the client's start, not the terminal's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CPU_REPORT_PRELOAD, readCpuReport, signalMarks, type MeasuredProcess } from './measured-process.js';
import { sleep } from './duplex.js';
import { asEntry } from './entry-node-flags.js';

export interface TerminalProcess {
  readonly pid: number;
  running(): boolean;
  kill(signal?: NodeJS.Signals): boolean;
  /** The window as last seen (captured now while the host runs). */
  screen(): string;
  /** SIGINT, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export class TerminalHost {
  readonly dir = mkdtempSync(join(tmpdir(), 'kaiwa-bench-tty-'));
  private readonly socket = join(this.dir, 'tmux');

  constructor() {
    // More than one word after the options: tmux runs the command itself, no shell to quote for.
    this.tmux('new-session', '-d', '-x', '100', '-y', '30', 'sleep', 'infinity');
    // A client that failed leaves its last screen to be read.
    this.tmux('set-option', '-g', 'remain-on-exit', 'on');
  }

  run(command: string[], env: Record<string, string>): TerminalProcess {
    const variables = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    const window = this.tmux('new-window', '-d', '-P', '-F', '#{window_id} #{pane_pid}', '-c', process.cwd(), ...variables, ...command).trim();
    const [id, pidText] = window.split(' ');
    const pid = Number(pidText);
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
        screen = this.tmux('capture-pane', '-p', '-t', id!);
      } catch {
        // the window is gone: the last screen captured stands
      }
      return screen;
    };
    return {
      pid, running, kill, screen: capture,
      stop: async (graceMs = 15_000) => {
        kill('SIGINT');
        const deadline = Date.now() + graceMs;
        while (running() && Date.now() < deadline) await sleep(20);
        kill('SIGKILL');
        capture();
        this.tmux('kill-window', '-t', id!);
      },
    };
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8' });
  }
}

/** As startMeasured (bench/lib/measured-process.ts), in a terminal of its own. */
export function startMeasuredInTerminal(script: string, args: string[], env: Record<string, string>): MeasuredProcess {
  const host = new TerminalHost();
  const file = join(host.dir, 'cpu.json');
  const client = host.run([process.execPath, '--import', CPU_REPORT_PRELOAD, ...asEntry(script), ...args], { ...env, BENCH_CPU_FILE: file });
  const marks = signalMarks((signal) => client.kill(signal), client.running);
  return {
    child: { kill: client.kill },
    markStartupOver: marks.markStartupOver,
    markAt: marks.markAt,
    stop: async (graceMs) => {
      await client.stop(graceMs);
      marks.cancel();
      try {
        return readCpuReport(file);
      } catch {
        throw new Error(`${script} in a terminal left no CPU report: ${client.screen().trim().slice(-1500)}`);
      } finally {
        host.close();
      }
    },
    output: client.screen,
  };
}
