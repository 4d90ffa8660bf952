import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { AudioDeviceError, SOX_MISSING_MESSAGE } from './audio-device-error.js';
import { describeFileError } from '../file-errors.js';
import { ChildRegistry } from '../child-registry.js';
import { watchChild, type WatchedChild } from './early-sox.js';
import type { ChildOutput } from './child-output-socket.js';
import { soxBinary } from './sox-command.js';

export { soxBinary, soxBlockBytes, soxEnvironment } from './sox-command.js';

/**
 * Running SoX as a child process without ever leaving one behind.
 *
 * How SoX finds the sound system: `--default-device` uses $AUDIODRIVER if set, else
 * tries PulseAudio (only when libsox-fmt-pulse is installed and a server answers,
 * found through $PULSE_SERVER or $XDG_RUNTIME_DIR/pulse/native), else ALSA's
 * "default" PCM. PipeWire desktops answer as PulseAudio. AUDIODRIVER=pulseaudio makes
 * PulseAudio mandatory (a missing server then fails with "Connection refused" instead
 * of falling back to ALSA).
 */

export type SoxDirection = 'input' | 'output';

export interface SoxExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last few KB SoX wrote to stderr (its FAIL lines, ALSA's complaints). */
  stderr: string;
  /** Set when the binary could not be started at all (ENOENT, EACCES). */
  spawnError?: NodeJS.ErrnoException;
}

export const DEFAULT_KILL_GRACE_MS = 500;

/** Last resort for any path that forgets to stop SoX: every child still alive is killed at exit. */
const soxChildren = new ChildRegistry();

function track(child: ChildProcess): void {
  soxChildren.track(child);
}

export function killAllSoxChildren(): void {
  soxChildren.killAll();
}

/** PIDs of SoX processes this module started that have not exited yet. */
export function liveSoxPids(): number[] {
  return soxChildren.livePids();
}

export interface SoxProcessOptions {
  stdin: 'pipe' | 'ignore';
  stdout: 'pipe' | 'ignore';
  env?: NodeJS.ProcessEnv;
  /** Sees what SoX writes to stderr as it comes (e.g. its ALSA driver's "under-run" warnings). */
  onStderr?: (text: string) => void;
  /** A SoX already started with this command (by the CLI's entry point, see early-sox.ts), taken over instead of starting one. */
  adopt?: WatchedChild | undefined;
}

export class SoxProcess {
  /** Resolves once SoX has exited and its stdout/stderr are fully read; never rejects. */
  readonly exited: Promise<SoxExit>;
  /** Resolves once SoX runs (undefined), or with why it could not be started at all (ENOENT, EACCES); never rejects. */
  readonly started: Promise<NodeJS.ErrnoException | undefined>;
  private readonly child: ChildProcess;
  /** Its stdout as a socket (a recorder started early, see early-sox.ts), else undefined: a pipe. */
  private readonly output: ChildOutput | undefined;
  private hasExited = false;
  private stopRequested = false;

  /** Taken over from the entry point (see early-sox.ts) rather than started here. */
  readonly adopted: boolean;

  constructor(args: readonly string[], options: SoxProcessOptions) {
    this.adopted = options.adopt !== undefined;
    const watched = options.adopt
      ?? watchChild(spawn(soxBinary(), args, { stdio: [options.stdin, options.stdout, 'pipe'], env: options.env ?? process.env }));
    this.child = watched.child;
    this.output = watched.output;
    if (options.onStderr) watched.onStderr(options.onStderr);
    // Writing to a SoX that already died raises EPIPE here; the exit report says why it died.
    this.child.stdin?.on('error', () => undefined);
    this.started = watched.spawned;
    this.exited = watched.closed.then((exit) => {
      this.hasExited = true;
      return { ...exit, stderr: exit.spawnError ? '' : watched.stderrTail() };
    });
    if (this.child.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) track(this.child);
  }

  get stdin(): Writable {
    if (!this.child.stdin) throw new Error('SoxProcess: spawned without a stdin pipe');
    return this.child.stdin;
  }

  /** Whether its stdout is read from a socket into a reused buffer (child-output-socket.ts), not as a stream. */
  get outputFromSocket(): boolean {
    return this.output !== undefined;
  }

  /** What SoX writes to its stdout, in chunks that are the listener's to keep. */
  onOutput(listener: (bytes: Buffer) => void): void {
    if (this.output) return this.output.onBytes(listener);
    if (!this.child.stdout) throw new Error('SoxProcess: spawned without a stdout pipe');
    this.child.stdout.on('data', listener);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True once stop() or kill() was called: its exit is expected, not a failure. */
  get wasStopped(): boolean {
    return this.stopRequested;
  }

  /**
   * SIGTERM, then SIGKILL if SoX is still there after the grace period. SoX handles
   * SIGTERM by finishing its output (a player drains what is queued), hence the bound.
   */
  async stop(graceMs = DEFAULT_KILL_GRACE_MS): Promise<SoxExit> {
    this.stopRequested = true;
    if (!this.hasExited) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** Immediate death: the only way to drop audio SoX or the sound server still holds. */
  kill(): void {
    this.stopRequested = true;
    this.child.stdin?.destroy();
    if (!this.hasExited) this.child.kill('SIGKILL');
  }
}

const DEVICE_PROBLEM = /can't open (input|output)|no default audio device|can not open audio device|ALSA lib|cannot find card|Unknown PCM|Connection refused|No such device|Device or resource busy/i;

const HINTS: Record<SoxDirection, string> = {
  input: 'use --input FILE.wav or --modalities text',
  output: 'use --no-speaker (and --output FILE.wav to keep the audio) or --modalities text',
};

/** One line for the user, from how SoX ended. */
export function soxFailure(exit: SoxExit, direction: SoxDirection): AudioDeviceError {
  if (exit.spawnError) return spawnFailure(exit.spawnError);
  const reason = summarizeSoxStderr(exit.stderr, exit.signal) ?? describeExit(exit);
  // SoX's ALSA output divides by zero when there is no card at all, hence SIGFPE.
  if (DEVICE_PROBLEM.test(exit.stderr) || exit.signal === 'SIGFPE') {
    return new AudioDeviceError(`no audio ${direction} device: ${reason}; ${HINTS[direction]}`);
  }
  return new AudioDeviceError(`audio ${direction} stopped: ${reason}; ${HINTS[direction]}`);
}

export function spawnFailure(error: NodeJS.ErrnoException): AudioDeviceError {
  if (error.code === 'ENOENT') return new AudioDeviceError(SOX_MISSING_MESSAGE);
  return new AudioDeviceError(`cannot run SoX (${soxBinary()}): ${describeFileError(error)}`);
}

/**
 * What SoX says at -V3 (the player runs so, see playerArgs) about itself and its files,
 * never why it failed: "sox INFO …", its version, and each file's description block.
 */
const SOX_INFO = /^(sox (INFO|DBUG) |sox: SoX v|(Input File|Output File|Channels|Sample Rate|Precision|Duration|File Size|Bit Rate|Sample Encoding|Endian Type|Reverse Nibbles|Reverse Bits|Comments?) ?:)/;

/**
 * SoX's own "sox FAIL …" line says the most; ALSA's noise ("ALSA lib pcm.c:2666:(…)
 * Unknown PCM default") is the fallback when SoX crashed before it could say anything.
 */
export function summarizeSoxStderr(stderr: string, signal: NodeJS.Signals | null): string | undefined {
  const lines = stderr.split('\n').map((line) => line.replace(/\s+/g, ' ').trim()).filter((line) => line && !SOX_INFO.test(line));
  const fail = lines.filter((line) => line.startsWith('sox FAIL')).at(-1);
  const crash = signal ? ` (${howSoxEnded(signal)})` : '';
  if (fail) return fail.replace(/^sox FAIL (\w+: )?/, '') + crash;
  if (/cannot find card/.test(stderr)) return `ALSA found no sound card${crash}`;
  const alsa = lines.filter((line) => line.startsWith('ALSA lib')).at(-1);
  if (alsa) return `ALSA: ${alsa.replace(/^ALSA lib \S+:\([^)]*\) /, '')}${crash}`;
  return lines.at(-1);
}

function describeExit(exit: SoxExit): string {
  return exit.signal ? howSoxEnded(exit.signal) : `SoX exited with code ${String(exit.code)}`;
}

/** Whether someone stopped SoX or it crashed; the signal's name says nothing to a user. */
function howSoxEnded(signal: NodeJS.Signals): string {
  return ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP'].includes(signal) ? 'SoX was stopped' : 'SoX crashed';
}
