import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { isAlive } from './audio-fake-sox.js';
import { KAIWA_BIN, cacheHome } from './cli-runner.js';
import { tempDir } from './temp-dir.js';
import { waitFor as waitUntil } from './wait-for.js';

/**
 * A real terminal for TUI tests: a detached tmux session of a given size running one
 * command; the test types with send-keys and reads the screen with capture-pane.
 *
 * Each session has a tmux server of its own (its socket in a temp folder): on a shared
 * server, a test ending the last session stops the server while another test's
 * new-session is connecting to it ("server exited unexpectedly"), and the tests would
 * reach into a user's own tmux.
 */
export class TmuxSession {
  readonly name = `kaiwa-test-${randomBytes(4).toString('hex')}`;
  private readonly socketDir = mkdtempSync(join(tmpdir(), 'kaiwa-tmux-'));
  private readonly socket = join(this.socketDir, 'socket');

  constructor(command: string, options: { width?: number; height?: number; env?: Record<string, string> } = {}) {
    after(() => this.kill());
    // kaiwa's code cache goes where the test process's runs keep theirs, not into ~/.cache.
    const env = Object.entries({ XDG_CACHE_HOME: cacheHome(), ...options.env }).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    this.tmux('new-session', '-d', '-s', this.name, '-x', String(options.width ?? 100), '-y', String(options.height ?? 30), ...env, command);
    this.tmux('set-option', '-t', this.name, 'remain-on-exit', 'on');
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** The visible screen as text (wide characters as they are drawn). */
  capture(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /**
   * The whole pane: its scrollback and the screen, each line the terminal wrapped joined
   * back into the one that was written (capture-pane -J).
   */
  captureHistory(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', this.name);
  }

  /** The title the program running in the pane set for its window (OSC 0/2). */
  paneTitle(): string {
    return this.tmux('display-message', '-p', '-t', this.name, '#{pane_title}').trim();
  }

  /** The visible screen with the escape sequences of its colours and attributes (capture-pane -e). */
  captureWithEscapes(): string {
    return this.tmux('capture-pane', '-p', '-e', '-t', this.name);
  }

  /**
   * Pastes `text` as a terminal does: its newlines sent as Enter (CR), wrapped in the
   * bracketed-paste marks when the program asked for them (paste-buffer -p).
   */
  paste(text: string): void {
    const buffer = `${this.name}-paste`;
    this.tmux('set-buffer', '-b', buffer, text);
    this.tmux('paste-buffer', '-p', '-d', '-b', buffer, '-t', this.name);
  }

  sendKeys(...keys: string[]): void {
    this.tmux('send-keys', '-t', this.name, ...keys);
  }

  resize(width: number, height: number): void {
    this.tmux('resize-window', '-t', this.name, '-x', String(width), '-y', String(height));
  }

  /** The screen once it matches `pattern` (looked at every 50 ms), failing with the last screen after the deadline. */
  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    let screen = '';
    try {
      return await waitUntil(() => {
        screen = this.capture();
        return pattern.test(screen) && screen;
      }, { what: `the screen to match ${pattern}`, timeoutMs, everyMs: 50 });
    } catch {
      throw new Error(`screen never matched ${pattern}:\n${screen}`);
    }
  }

  /**
   * Ends the session and waits until what ran in it has exited: a kaiwa outliving its test
   * would write into the test's temporary folders after they were removed (its code cache
   * at exit), and hold its devices.
   */
  async kill(timeoutMs = 10_000): Promise<void> {
    const running = this.processes();
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    await waitUntil(() => running.every((pid) => !isAlive(pid)), { what: `the processes of tmux session ${this.name} to exit`, timeoutMs, everyMs: 20 });
    rmSync(this.socketDir, { recursive: true, force: true });
  }

  /** The pane's process and all its descendants (none once the session is gone). */
  private processes(): number[] {
    let pane: number;
    try {
      pane = Number(this.tmux('display-message', '-p', '-t', this.name, '#{pane_pid}').trim());
    } catch {
      return [];
    }
    const all = [pane];
    for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
    return all;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').filter((line) => line.trim()).map(Number);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/**
 * The built kaiwa in a terminal, offline, with a config home and an XDG_RUNTIME_DIR of its
 * own (the sound libraries would otherwise make one in the temp folder and leave it); the
 * pane prints `[exit N]` when kaiwa ends. `env` adds variables (PULSE_SERVER for a sound server, TERM, LANG).
 */
export function kaiwaInTmux(args: string, width = 80, env: Record<string, string> = {}, height = 24): TmuxSession {
  const home = tempDir();
  // Set by env(1), not tmux: tmux gives the pane a TERM of its own over one it is handed.
  // A UTF-8 locale unless the test names one: kaiwa draws its symbols in ASCII in the C locale (own-symbols.ts).
  const variables = Object.entries({ LANG: 'C.UTF-8', ...env }).map(([key, value]) => `${key}='${value.replace(/'/g, `'\\''`)}'`).join(' ');
  return new TmuxSession(`env -u OPENAI_API_KEY XDG_CONFIG_HOME=${home} XDG_RUNTIME_DIR=${home} ${variables} node ${KAIWA_BIN} ${args}; echo "[exit $?]"; sleep 60`, { width, height });
}
