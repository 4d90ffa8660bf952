import { EventEmitter } from 'node:events';
import type { AudioSource, PcmFormat } from './devices.js';

/** How much of what the microphone heard before the conversation was ready is kept. */
export const DEFAULT_MAX_HELD_MS = 5000;

type Held = { event: 'data'; pcm: Buffer } | { event: 'end' | 'error' | 'restart'; value?: unknown };

/**
 * A microphone that records from the moment it is made, before anything is ready for its
 * audio: SoX needs a few hundred ms to deliver its first block, and that time is better
 * spent while kaiwa connects. Until start(), everything the source says is held (its audio
 * only the last `maxHeldMs`); start() replays it in order, each chunk marked late
 * ('data', pcm, true), and from then on the source passes straight through. Errors wait
 * the same way, so none is emitted before anyone listens.
 */
export class HeldSource extends EventEmitter implements AudioSource {
  readonly format: PcmFormat;
  private held: Held[] | undefined = [];
  private heldBytes = 0;
  private stopped = false;
  /** How the device began: its first audio (no failure) or a failure before any. */
  private beginning: { failure: Error | undefined } | undefined;
  private readonly beginningWaiters: Array<(failure: Error | undefined) => void> = [];
  private readonly maxHeldBytes: number;
  private release: (() => void) | undefined;
  /** Resolves once start() let the held audio through. */
  readonly released = new Promise<void>((resolve) => { this.release = resolve; });
  private handOn: (() => void) | undefined;
  /**
   * Resolves once the first audio went through to whoever listens (after start()): by then
   * they have done with it what they do at once (the session's first append has gone).
   */
  readonly handedOn = new Promise<void>((resolve) => { this.handOn = resolve; });

  constructor(private readonly source: AudioSource, maxHeldMs = DEFAULT_MAX_HELD_MS) {
    super();
    this.format = source.format;
    this.maxHeldBytes = Math.round((maxHeldMs / 1000) * source.format.sampleRate) * 2;
    source.on('data', (pcm: Buffer) => this.arrived({ event: 'data', pcm }));
    for (const event of ['end', 'error', 'restart'] as const) source.on(event, (value?: unknown) => this.arrived({ event, value }));
    source.start();
  }

  /** Lets what was held, then everything after it, through. */
  start(): void {
    const held = this.held;
    if (!held || this.stopped) return;
    this.held = undefined;
    for (const item of held) this.pass(item, true);
    this.release?.();
  }

  started(): Promise<Error | undefined> {
    return this.source.started?.() ?? Promise.resolve(undefined);
  }

  /**
   * Resolves once the device proved itself (its first audio: undefined) or failed before
   * any (the error, which is still held for start() too), or after `withinMs` (undefined).
   */
  firstWord(withinMs: number): Promise<Error | undefined> {
    if (this.beginning) return Promise.resolve(this.beginning.failure);
    const began = new Promise<Error | undefined>((resolve) => this.beginningWaiters.push(resolve));
    const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), withinMs).unref());
    return Promise.race([began, timer]);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.held = undefined;
    return this.source.stop();
  }

  private arrived(item: Held): void {
    if (this.stopped) return;
    if (!this.beginning && (item.event === 'data' || item.event === 'error')) this.began(item.event === 'error' ? item.value as Error : undefined);
    if (!this.held) return this.pass(item, false);
    this.held.push(item);
    if (item.event !== 'data') return;
    this.heldBytes += item.pcm.length;
    // The oldest goes first: what was said just now matters more than room noise before it
    // (a source says nothing after an error or its end, so those are never in front of audio).
    while (this.heldBytes > this.maxHeldBytes) {
      const oldest = this.held.shift()!;
      if (oldest.event === 'data') this.heldBytes -= oldest.pcm.length;
    }
  }

  private began(failure: Error | undefined): void {
    this.beginning = { failure };
    for (const resolve of this.beginningWaiters.splice(0)) resolve(failure);
  }

  private pass(item: Held, late: boolean): void {
    if (item.event === 'data') {
      this.emit('data', item.pcm, ...(late ? [true] : []));
      // Once: every chunk passes here.
      this.handOn?.();
      this.handOn = undefined;
    } else this.emit(item.event, ...(item.value === undefined ? [] : [item.value]));
  }
}
