import { EventEmitter } from 'node:events';
import type { AudioSource, PcmFormat } from './devices.js';
import { WholeSampleChunker } from './pcm16.js';
import type { AudioDeviceError } from './audio-device-error.js';
import { DEFAULT_KILL_GRACE_MS, SoxProcess, soxBlockBytes, soxEnvironment, soxFailure, spawnFailure, type SoxExit } from './sox-process.js';

export interface SoxRecorderOptions {
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** A PulseAudio source to record from instead of the default device (the echo canceller's). */
  pulseDevice?: string;
}

/**
 * PulseAudio hands a client that asks for no particular latency (SoX uses the simple
 * API with default buffer attributes) its recording in fragments of about two seconds:
 * measured here, the first audio arrived after 1.2 s and then in 2 s bursts. Asking for
 * 30 ms leaves SoX's stdout buffer (4096 bytes on a pipe) as the limit: 85 ms chunks at
 * 24 kHz, 11.7 a second measured on PulseAudio. Unbuffering SoX's output (LD_PRELOAD of
 * coreutils' libstdbuf) gave ~30 ms chunks, but with 40 ms appends that saves only ~12 ms
 * on average, so it is not done. Only a default: a PULSE_LATENCY_MSEC the user set wins.
 */
const RECORDER_ENVIRONMENT_DEFAULTS = { PULSE_LATENCY_MSEC: '30' };

/** The command from the article, with the session's rate: mono PCM16 LE on stdout. */
export function recorderArgs(sampleRate: number): string[] {
  return [
    '--buffer', String(soxBlockBytes(sampleRate)),
    '--default-device', '--no-show-progress',
    '--rate', String(sampleRate), '--channels', '1', '--encoding', 'signed-integer', '--bits', '16',
    '--type', 'raw', '-',
  ];
}

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
    const sox = new SoxProcess(recorderArgs(this.format.sampleRate), {
      stdin: 'ignore',
      stdout: 'pipe',
      env: soxEnvironment(RECORDER_ENVIRONMENT_DEFAULTS, this.options.pulseDevice),
    });
    this.sox = sox;
    if (sox.pid !== undefined) sox.stdout.on('data', (chunk: Buffer) => this.onAudio(chunk));
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
