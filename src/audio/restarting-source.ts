import { EventEmitter } from 'node:events';
import type { AudioSource, PcmFormat } from './devices.js';

export interface RestartingSourceOptions {
  /** A source that ran at least this long before failing crashed; failing sooner means no device. */
  healthyAfterMs?: number;
  restartDelayMs?: number;
  /** Restarts allowed per minute before giving up (a device that keeps failing). */
  maxRestartsPerMinute?: number;
  now?: () => number;
}

/**
 * A microphone that comes back: when the recording process dies mid-session (killed, a
 * device hiccup), a new one starts and the conversation carries on. Emits 'restart'
 * (reason) each time; a source that fails at once, or too often, is reported as 'error'.
 */
export class RestartingSource extends EventEmitter implements AudioSource {
  readonly format: PcmFormat;
  private current: AudioSource | undefined;
  private startedAt = 0;
  private readonly restarts: number[] = [];
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly create: () => AudioSource, private readonly options: RestartingSourceOptions = {}) {
    super();
    this.now = options.now ?? (() => performance.now());
    this.format = create().format;
  }

  start(): void {
    if (this.stopped || this.current) return;
    const source = this.create();
    this.current = source;
    this.startedAt = this.now();
    source.on('data', (pcm: Buffer) => this.emit('data', pcm));
    source.on('end', () => this.emit('end'));
    source.on('error', (error: Error) => this.onFailure(source, error));
    source.start();
  }

  /**
   * Starts a new source from the factory now, in place of the one running (which is
   * stopped): e.g. to record from another device. Its audio follows the old one's.
   */
  replace(): void {
    const old = this.current;
    if (this.stopped || !old) return;
    this.current = undefined;
    void old.stop();
    this.start();
  }

  /** The current device process's start (see AudioSource.started). */
  started(): Promise<Error | undefined> {
    return this.current?.started?.() ?? Promise.resolve(undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current?.stop();
  }

  private onFailure(source: AudioSource, error: Error): void {
    if (source !== this.current || this.stopped) return;
    this.current = undefined;
    const now = this.now();
    const ranLongEnough = now - this.startedAt >= (this.options.healthyAfterMs ?? 1000);
    while (this.restarts.length && this.restarts[0]! < now - 60_000) this.restarts.shift();
    if (!ranLongEnough || this.restarts.length >= (this.options.maxRestartsPerMinute ?? 5)) {
      this.emit('error', error);
      return;
    }
    this.restarts.push(now);
    this.emit('restart', error.message);
    this.timer = setTimeout(() => this.start(), this.options.restartDelayMs ?? 200);
  }
}
