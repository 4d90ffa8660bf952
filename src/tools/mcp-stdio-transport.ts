import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface StdioServerParameters {
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

/** How long a server gets to exit after stdin closes, and again after SIGTERM. */
const GRACE_MS = 2000;
const POLL_MS = 25;

/**
 * The MCP stdio transport, with the server in a process group of its own. The SDK's
 * StdioClientTransport signals only the process it started, and forgets it once a failed
 * handshake has closed it, so a server that never answered (or a launcher such as npx or
 * sh with children of its own) outlived kaiwa. Here the whole group is stopped: stdin is
 * closed, then SIGTERM, then SIGKILL, and close() resolves only when the group is gone.
 */
export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** The server's stderr, available before start() so no early line is lost. */
  readonly stderr = new PassThrough();
  private child: ChildProcess | undefined;
  private leaderExited: Promise<void> = Promise.resolve();
  private readonly readBuffer = new ReadBuffer();
  private stopping: Promise<void> | undefined;

  constructor(private readonly server: StdioServerParameters) {}

  /** The group's id (the server's pid) while it may still run. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.server.command, this.server.args, {
        env: { ...getDefaultEnvironment(), ...this.server.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        ...(this.server.cwd ? { cwd: this.server.cwd } : {}),
      });
      this.child = child;
      this.leaderExited = new Promise((done) => child.once('exit', () => done()).once('error', () => done()));
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => resolve());
      child.once('close', () => this.onclose?.());
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => this.receive(chunk));
      child.stderr?.pipe(this.stderr);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || this.stopping) {
        reject(new Error('Not connected'));
        return;
      }
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** A polite stop: stdin closes first, signals only if the server stays. */
  close(): Promise<void> {
    this.stopping ??= this.stop(true);
    return this.stopping;
  }

  /**
   * For a server kaiwa gave up on: SIGTERM at once, even if a polite close() has begun
   * (the SDK's client starts one itself when the handshake fails).
   */
  abandon(): Promise<void> {
    if (this.child?.pid !== undefined) signalGroup(this.child.pid, 'SIGTERM');
    this.stopping ??= this.stop(false);
    return this.stopping;
  }

  /** Synchronous last resort (process exit hook): SIGTERM to the whole group, without waiting. */
  killNow(): void {
    if (this.child?.pid !== undefined && !this.stopping) signalGroup(this.child.pid, 'SIGTERM');
  }

  private receive(chunk: Buffer): void {
    try {
      this.readBuffer.append(chunk);
      for (let message = this.readBuffer.readMessage(); message !== null; message = this.readBuffer.readMessage()) {
        this.onmessage?.(message);
      }
    } catch (error) {
      this.onerror?.(error as Error);
    }
  }

  private async stop(politely: boolean): Promise<void> {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    this.child!.stdin?.end();
    if (politely) await Promise.race([this.leaderExited, delay(GRACE_MS)]);
    if (await this.groupGoneWithin(politely ? 0 : POLL_MS, pid)) return this.finish();
    signalGroup(pid, 'SIGTERM');
    if (!(await this.groupGoneWithin(GRACE_MS, pid))) signalGroup(pid, 'SIGKILL');
    await this.groupGoneWithin(GRACE_MS, pid);
    this.finish();
  }

  private async groupGoneWithin(ms: number, pgid: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (groupAlive(pgid)) {
      if (Date.now() >= deadline) return false;
      await delay(POLL_MS);
    }
    await this.leaderExited;
    return true;
  }

  private finish(): void {
    this.readBuffer.clear();
    this.stderr.end();
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Whether any process of the group still runs. A member killed after its parent died is
 * a zombie until whoever adopted it reaps it (in a container, PID 1 may never do so), so
 * on Linux zombies are not counted; elsewhere the group is asked with signal 0.
 */
function groupAlive(pgid: number): boolean {
  const members = liveMembersOnLinux(pgid);
  if (members !== undefined) return members > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function liveMembersOnLinux(pgid: number): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let live = 0;
  for (const pid of entries) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // it ended while we looked
    }
    // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so split after the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') live += 1;
  }
  return live;
}
