import { EventEmitter } from 'node:events';
import type { AudioSource, PcmFormat } from './devices.js';
import { WholeSampleChunker } from './pcm16.js';
import type { AudioDeviceError } from './audio-device-error.js';
import { DEFAULT_KILL_GRACE_MS, SoxProcess, soxFailure, spawnFailure, type SoxExit } from './sox-process.js';
import { recorderCommand } from './sox-command.js';
import { claimEarlySox } from './early-sox.js';

export interface SoxRecorderOptions {
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** A PulseAudio source to record from instead of the default device (the echo canceller's). */
  pulseDevice?: string;
}

export { recorderArgs } from './sox-command.js';

/**
 * The microphone, through SoX. Emits 'data' with whole PCM16 samples, 'error' with an
 * AudioDeviceError when SoX can't record (or dies), and 'end' if SoX stops on its own
 * without an error. stop() ends it silently: the caller asked for it.
 */
export class SoxRecorder extends EventEmitter implements AudioSource {
  private sox: SoxProcess | undefined;
  private stopping: Promise<void> | undefined;
  private readonly chunker = new WholeSampleChunker();

  constructor(readonly format: PcmFormat, private readonly options: SoxRecorderOptions = {}) {
    super();
  }

  start(): void {
    if (this.sox || this.stopping) return;
    const { args, env } = recorderCommand(this.format.sampleRate, this.options.pulseDevice);
    const sox = new SoxProcess(args, { stdin: 'ignore', stdout: 'pipe', env, adopt: claimEarlySox('recorder', args, env) });
    this.sox = sox;
    if (sox.pid !== undefined) sox.onOutput((chunk) => this.onAudio(chunk));
    void sox.exited.then((exit) => this.onExit(sox, exit));
  }

  /** Resolves once SoX runs (undefined), or with why it could not be started (not installed); undefined before start(). */
  async started(): Promise<AudioDeviceError | undefined> {
    const failure = await this.sox?.started;
    return failure ? spawnFailure(failure) : undefined;
  }

  stop(): Promise<void> {
    this.stopping ??= this.sox ? this.sox.stop(this.options.stopGraceMs ?? DEFAULT_KILL_GRACE_MS).then(() => undefined) : Promise.resolve();
    return this.stopping;
  }

  /** True when SoX was started by the CLI's entry point and taken over (see early-sox.ts). */
  get startedEarly(): boolean {
    return this.sox?.adopted ?? false;
  }

  /** True when SoX's output is read from a socket into a reused buffer (see child-output-socket.ts), the cheaper way. */
  get readFromSocket(): boolean {
    return this.sox?.outputFromSocket ?? false;
  }

  /** SoX's process id while it runs (to find its stream in the sound server). */
  get pid(): number | undefined {
    return this.sox?.pid;
  }

  private onAudio(chunk: Buffer): void {
    if (this.stopping) return;
    const samples = this.chunker.push(chunk);
    if (samples.length > 0) this.emit('data', samples);
  }

  private onExit(sox: SoxProcess, exit: SoxExit): void {
    if (sox.wasStopped || this.stopping) return;
    if (exit.code === 0 && !exit.spawnError) this.emit('end');
    else this.emit('error', soxFailure(exit, 'input'));
  }
}
