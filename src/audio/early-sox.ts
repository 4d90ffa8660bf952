import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { childOutputSocketsWork, openChildOutputSocket, type ChildOutput } from './child-output-socket.js';
import { soxBinary } from './sox-command.js';

/**
 * SoX processes started by the CLI's entry point before the rest of kaiwa is loaded: SoX
 * needs 100-200 ms to deliver its first block, and compiling kaiwa takes about as long, so
 * the two are better done side by side. The recorder and player that would start the same
 * SoX (same binary, arguments and environment) take these over instead; any left over is
 * killed. The list lives on globalThis because the entry point and the rest of kaiwa are
 * separate files, each with its own copy of this module.
 *
 * The recorder's SoX writes into a Unix socket rather than a pipe (see child-output-socket.ts:
 * reading it costs about half as much), so it starts once that socket is connected, on the event
 * loop's next turn: earlySoxStarted() says when.
 */

export type EarlySoxRole = 'recorder' | 'player';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the binary could not be started at all (ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
}

/** A child's life as promises, watched from its spawn on, so nothing it does before anyone asks is missed. */
export interface WatchedChild {
  readonly child: ChildProcess;
  /** Resolves once it runs (undefined), or with why it could not be started; never rejects. */
  readonly spawned: Promise<NodeJS.ErrnoException | undefined>;
  /** Resolves once it has exited and its output pipes are closed; never rejects. */
  readonly closed: Promise<ChildExit>;
  /** Its stdout when that is a socket read into a reused buffer (child-output-socket.ts), not a pipe. */
  readonly output?: ChildOutput;
  /** When it was started (performance.now()). */
  readonly startedAt: number;
  /** The last few KB it wrote to stderr (read from its start: a pipe nobody reads can hold up its exit). */
  stderrTail(): string;
  /** Sees what it writes to stderr from now on. */
  onStderr(listener: (text: string) => void): void;
}

const STDERR_TAIL_BYTES = 4096;

interface Waiting extends WatchedChild {
  readonly role: EarlySoxRole;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** What each role's SoX reads and writes, as SoxRecorder and SoxPlayer spawn it. */
export const SOX_STDIO: Record<EarlySoxRole, StdioOptions> = {
  recorder: ['ignore', 'pipe', 'pipe'],
  player: ['pipe', 'ignore', 'pipe'],
};

const REGISTRY = Symbol.for('kaiwa.earlySox');

interface Registry {
  /** Started, waiting to be taken over. */
  readonly waiting: Waiting[];
  /** Recorders whose socket is being connected: each resolves once its SoX is spawned (or will not be). */
  readonly starting: Set<Promise<void>>;
  /** How many times discardEarlySox() ran: a SoX whose start began before a discard is not wanted. */
  discards: number;
}

function registry(): Registry {
  const global = globalThis as { [REGISTRY]?: Registry };
  if (!global[REGISTRY]) {
    global[REGISTRY] = { waiting: [], starting: new Set(), discards: 0 };
    // Not taken over (kaiwa stopped on a bad flag, or chose another device): not left behind.
    process.on('exit', discardEarlySox);
  }
  return global[REGISTRY];
}

const waiting = (): Waiting[] => registry().waiting;

export function watchChild(child: ChildProcess, startedAt = performance.now(), output?: ChildOutput): WatchedChild {
  // 'on', not 'once': a later 'error' (e.g. a failed kill) must not go unhandled and crash us.
  child.on('error', () => undefined);
  let tail = '';
  const listeners: Array<(text: string) => void> = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    tail = (tail + text).slice(-STDERR_TAIL_BYTES);
    for (const listener of listeners) listener(text);
  });
  const spawned = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error: NodeJS.ErrnoException) => resolve(child.pid === undefined ? error : undefined));
  });
  const closed = new Promise<ChildExit>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve({ code: null, signal: null, spawnError: error });
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // Exited, and all it wrote read: its socket may still hold the last of it when 'close' comes.
  const drained = output ? Promise.all([closed, output.ended]).then(([exit]) => exit) : closed;
  return { child, spawned, closed: drained, startedAt, ...(output ? { output } : {}), stderrTail: () => tail, onStderr: (listener) => listeners.push(listener) };
}

/** Starts SoX now (a recorder: once its socket is connected), for a recorder or player that will ask for the same command later. */
export function startEarlySox(role: EarlySoxRole, args: readonly string[], env: NodeJS.ProcessEnv): void {
  const command = soxBinary();
  const startedAt = performance.now();
  const start = (stdio: StdioOptions, output?: ChildOutput): void => {
    const watched = watchChild(spawn(command, args, { stdio, env }), startedAt, output);
    waiting().push({ ...watched, role, command, args, env });
  };
  if (role !== 'recorder' || !childOutputSocketsWork()) return start(SOX_STDIO[role]);
  const registered = registry();
  const discardsBefore = registered.discards;
  const wanted = (): boolean => registered.discards === discardsBefore;
  const started = openChildOutputSocket().then(({ writeEnd, output }) => {
    if (wanted()) start(['ignore', writeEnd, 'pipe'], output);
    else output.close();
    // The child has its own copy now.
    writeEnd.destroy();
  }, () => {
    // No socket (no temporary folder, say): the pipe of old.
    if (wanted()) start(SOX_STDIO[role]);
  });
  registered.starting.add(started);
  void started.then(() => registered.starting.delete(started));
}

/** Resolves once every SoX startEarlySox() began is spawned (or will not be): then it can be taken over. */
export function earlySoxStarted(): Promise<void> {
  const { starting } = registry();
  return starting.size === 0 ? Promise.resolve() : Promise.all(starting).then(() => undefined);
}

/** The SoX started early for exactly this command, now the caller's; undefined if there is none. */
export function claimEarlySox(role: EarlySoxRole, args: readonly string[], env: NodeJS.ProcessEnv): WatchedChild | undefined {
  const list = waiting();
  const index = list.findIndex((early) => early.role === role && early.command === soxBinary()
    && sameStrings(early.args, args) && sameEnvironment(early.env, env));
  if (index < 0) return undefined;
  const [{ role: _role, command: _command, args: _args, env: _env, ...watched }] = list.splice(index, 1) as [Waiting];
  return watched;
}

/** Kills every early SoX nobody took over (the session decided on other devices, or none). */
export function discardEarlySox(): void {
  registry().discards += 1;
  for (const early of waiting().splice(0)) early.child.kill('SIGKILL');
}

/** How many early SoX processes still wait to be taken over (for tests). */
export function earlySoxWaiting(): number {
  return waiting().length;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function sameEnvironment(a: NodeJS.ProcessEnv, b: NodeJS.ProcessEnv): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
