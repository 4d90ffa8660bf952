import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { AudioSink, PcmFormat } from './devices.js';
import { bytesToMs } from './pcm16.js';
import type { AudioDeviceError } from './audio-device-error.js';
import { DEFAULT_KILL_GRACE_MS, SoxProcess, soxFailure, spawnFailure, type SoxExit } from './sox-process.js';
import { PLAYER_ENVIRONMENT_DEFAULTS, playerArgs, soxEnvironment } from './sox-command.js';
import { claimEarlySox } from './early-sox.js';
import { DeviceOpenWatch } from './device-open-watch.js';

export { playerArgs } from './sox-command.js';

export interface SoxPlayerOptions {
  /** Extra time close() allows beyond the audio still queued, for start-up and device buffers. */
  drainSlackMs?: number;
  /** How long a stop waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** A PulseAudio sink to play to instead of the default device (the echo canceller's). */
  pulseDevice?: string;
  /**
   * Keep a SoX process open and waiting (started at once, and again after each clear()),
   * so a reply starts within the sound server's latency instead of after SoX's start-up
   * (about 150 ms measured here), and playback timing stays predictable.
   */
  warm?: boolean;
  /**
   * A warm player's first SoX starts once this settles instead of at once (a write or
   * untilOpen() starts it sooner): its start-up, ~10 ms of the event loop and ~40 ms of
   * CPU, then does not slow what must come first (the microphone's first append).
   */
  warmAfter?: Promise<unknown>;
  /** How long untilOpen() waits for SoX to say its device is open before taking it as open (a SoX that never says). */
  openTimeoutMs?: number;
}

const DEFAULT_DRAIN_SLACK_MS = 3000;
/**
 * What SoX's ALSA driver prints (a warning, at its default verbosity) each time the
 * device ran dry. Its PulseAudio and CoreAudio drivers report nothing of the kind.
 */
const UNDERRUN_WARNING = /under-?run/i;
/** How long after a clear() a warm player starts its next SoX. */
const REWARM_AFTER_MS = 300;
const HEALTHY_AFTER_MS = 1000;
/** Far beyond the 60-110 ms SoX takes to open PulseAudio here (a few hundred under load): only for a SoX that never says. */
const DEFAULT_OPEN_TIMEOUT_MS = 2000;
const MAX_RESTARTS_PER_MINUTE = 5;

interface Playback {
  sox: SoxProcess;
  spawnedAt: number;
  bytesWritten: number;
  /** Someone asked started() about this process: a failure to start it is theirs to report. */
  startWatched?: boolean;
  /** Until SoX has opened its device: settles then (or once it exited, or after openTimeoutMs). */
  opening: Promise<void> | undefined;
  /** When its device opened (performance.now()): what was written sounds from then on. */
  openedAt?: number;
}

/**
 * The speaker, through SoX. SoX starts on the first write (or warm: ahead of it), so a
 * session that never speaks never opens the device. SoX runs at `-V3` to say when its
 * device is open (untilOpen()), so that a paced player counts audio as sounding from then,
 * not from its write. Emits 'error' (an AudioDeviceError) once if SoX can't
 * play; later writes are then dropped rather than failing again for every chunk; and
 * 'underrun' when SoX says the device ran dry (ALSA only: see UNDERRUN_WARNING).
 */
export class SoxPlayer extends EventEmitter implements AudioSink {
  private playback: Playback | undefined;
  private readonly retiring = new Set<Promise<SoxExit>>();
  private failed = false;
  private readonly restarts: number[] = [];
  private closing: Promise<void> | undefined;
  private rewarm: NodeJS.Timeout | undefined;
  private pulseDevice: string | undefined;
  /** While playback is held (see holdUntil): the audio written meanwhile, in order, and when it goes. */
  private held: { audio: Buffer[]; released: Promise<void> } | undefined;

  constructor(readonly format: PcmFormat, private readonly options: SoxPlayerOptions = {}) {
    super();
    this.pulseDevice = options.pulseDevice;
    if (options.warm) {
      const warmUp = (): void => { setImmediate(() => this.warmUp()); };
      if (options.warmAfter) void options.warmAfter.then(warmUp, warmUp);
      else warmUp();
    }
  }

  /** When the SoX playing now was started (performance.now()), if one runs. */
  get startedAt(): number | undefined {
    return this.playback?.spawnedAt;
  }

  /**
   * Nothing is played until `ready` settles: what is written meanwhile waits, in order (for
   * a device being moved, e.g. the microphone onto the echo canceller: the speaker must not
   * sound before the canceller hears the microphone). A clear() drops it.
   */
  holdUntil(ready: Promise<unknown>): void {
    const release = (): void => {
      if (this.held !== held) return;
      this.held = undefined;
      for (const pcm of held.audio) this.write(pcm);
    };
    const held = { audio: [] as Buffer[], released: ready.then(release, release) };
    this.held = held;
  }

  /**
   * Undefined when what is written now sounds at once: SoX runs and has opened its device.
   * Otherwise starts SoX if none runs (a reply never waits for a warm-up that is not due)
   * and resolves once SoX opened its device, failed or was replaced, or a hold ended: ask
   * again then. A player that failed or is closing drops what is written: undefined.
   */
  untilOpen(): Promise<void> | undefined {
    if (this.closing || this.failed) return undefined;
    if (this.held) return this.held.released;
    return (this.playback ?? this.startPlayback()).opening;
  }

  private warmUp(): void {
    if (!this.playback && !this.closing && !this.failed) this.startPlayback();
  }

  /** The SoX playing now, if one runs (to find its stream in the sound server). */
  get pid(): number | undefined {
    return this.playback?.sox.pid;
  }

  /**
   * Plays to this PulseAudio sink from now on (the SoX started next). With `restartIdle`,
   * a warm SoX that has played nothing yet is replaced at once.
   */
  routeTo(pulseDevice: string, options: { restartIdle?: boolean } = {}): void {
    this.pulseDevice = pulseDevice;
    const playback = this.playback;
    if (!options.restartIdle || !playback || playback.bytesWritten > 0 || this.closing || this.failed) return;
    this.playback = undefined;
    playback.sox.kill();
    this.retire(playback.sox);
    this.startPlayback();
  }

  /**
   * Starts SoX now (if it is not running) and resolves once it runs, or with why it could
   * not be started (not installed). A failure told here is not emitted as 'error' too.
   */
  async started(): Promise<AudioDeviceError | undefined> {
    if (this.closing || this.failed) return undefined;
    const playback = this.playback ?? this.startPlayback();
    playback.startWatched = true;
    const failure = await playback.sox.started;
    return failure ? spawnFailure(failure) : undefined;
  }

  write(pcm: Buffer): void {
    if (this.closing || this.failed || pcm.length === 0) return;
    if (this.held) {
      this.held.audio.push(pcm);
      return;
    }
    const playback = this.playback ?? this.startPlayback();
    playback.sox.stdin.write(pcm);
    playback.bytesWritten += pcm.length;
  }

  /**
   * Audio already written sits in the pipe, in SoX's buffers and in the sound server
   * (PulseAudio keeps up to ~2 s), where nothing can take it back. Killing SoX is the
   * only way to silence all of it at once; SIGKILL because on SIGTERM SoX drains first.
   * The next write starts a fresh SoX.
   */
  clear(): void {
    if (this.held) this.held.audio = [];
    const playback = this.playback;
    if (!playback) return;
    this.playback = undefined;
    playback.sox.kill();
    this.retire(playback.sox);
    // Not at once: a clear is often the last thing before close() (the user quit), and a
    // next reply is seconds away (a write starts SoX anyway if it comes sooner).
    if (this.options.warm) this.rewarm ??= setTimeout(() => { this.rewarm = undefined; this.warmUp(); }, REWARM_AFTER_MS);
  }

  /** Lets queued audio play out, bounded by its duration plus slack, then releases SoX. */
  close(): Promise<void> {
    this.closing ??= this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    clearTimeout(this.rewarm);
    const playback = this.playback;
    this.playback = undefined;
    if (playback) await this.drain(playback);
    await Promise.all(this.retiring);
  }

  private async drain(playback: Playback): Promise<void> {
    // Nothing to play out: a SoX still opening its device (started after the first append,
    // when the user quits at once) would otherwise be waited for until it has opened it.
    if (playback.bytesWritten === 0) {
      playback.sox.kill();
      await playback.sox.exited;
      return;
    }
    playback.sox.stdin.end();
    const playingSince = playback.openedAt ?? performance.now();
    const stillQueuedMs = bytesToMs(playback.bytesWritten, this.format.sampleRate) - (performance.now() - playingSince);
    const limitMs = Math.max(0, stillQueuedMs) + (this.options.drainSlackMs ?? DEFAULT_DRAIN_SLACK_MS);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), limitMs)));
    const outcome = await Promise.race([playback.sox.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') await playback.sox.stop(this.options.stopGraceMs ?? DEFAULT_KILL_GRACE_MS);
  }

  private startPlayback(): Playback {
    const env = soxEnvironment(PLAYER_ENVIRONMENT_DEFAULTS, this.pulseDevice);
    const args = playerArgs(this.format.sampleRate);
    const early = claimEarlySox('player', args, env);
    const open = new DeviceOpenWatch(this.options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS, early?.stderrTail() ?? '');
    const onStderr = (text: string): void => {
      open.saw(text);
      if (UNDERRUN_WARNING.test(text)) this.emit('underrun');
    };
    const sox = new SoxProcess(args, { stdin: 'pipe', stdout: 'ignore', env, onStderr, adopt: early });
    const playback: Playback = { sox, spawnedAt: early?.startedAt ?? performance.now(), bytesWritten: 0, opening: open.opened };
    void open.opened.then(() => {
      playback.opening = undefined;
      playback.openedAt = open.openedAt;
    });
    this.playback = playback;
    void sox.exited.then((exit) => {
      this.onExit(playback, exit);
      open.settle();
    });
    return playback;
  }

  /**
   * A player that had been running and then died (killed, a device hiccup) is replaced on
   * the next write and reported with 'restart'; one that dies at once has no device.
   */
  private onExit(playback: Playback, exit: SoxExit): void {
    if (playback.sox.wasStopped || this.closing || this.failed) return;
    if (this.playback === playback) this.playback = undefined;
    if (exit.spawnError && playback.startWatched) {
      this.failed = true;
      return;
    }
    const ranMs = performance.now() - playback.spawnedAt;
    if (ranMs >= HEALTHY_AFTER_MS && this.noteRestart()) {
      this.emit('restart', soxFailure(exit, 'output').message);
      if (this.options.warm) this.warmUp();
      return;
    }
    this.failed = true;
    this.emit('error', soxFailure(exit, 'output'));
  }

  private noteRestart(): boolean {
    const now = performance.now();
    while (this.restarts.length && this.restarts[0]! < now - 60_000) this.restarts.shift();
    if (this.restarts.length >= MAX_RESTARTS_PER_MINUTE) return false;
    this.restarts.push(now);
    return true;
  }

  private retire(sox: SoxProcess): void {
    const exited = sox.exited;
    this.retiring.add(exited);
    void exited.then(() => this.retiring.delete(exited));
  }
}
