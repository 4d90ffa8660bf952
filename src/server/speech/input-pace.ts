/**
 * How fast a turn's audio arrives compared with real time. A microphone delivers it as it
 * is spoken; an app sending a file may stream it several times faster, and a recognizer
 * that decodes at a quarter of real time then falls behind, so the client would wait for
 * it after the commit. The first write is left out: it may carry audio buffered before
 * the turn began (the speech detector's prefix), which says nothing about the pace.
 */
export type InputPaceVerdict = 'real-time' | 'fast';

/** Arriving at least this many times faster than it plays counts as fast. */
const FAST_RATIO = 2;
/** Enough is known after this long, or after this much audio, whichever comes first. */
const DECIDE_AFTER_MS = 250;
const DECIDE_AFTER_AUDIO_MS = 750;
/** The pace is that of the last second: a file streamed after a live greeting is fast. */
const WINDOW_MS = 1000;

interface Arrival {
  atMs: number;
  audioMs: number;
}

export class InputPace {
  private startedAt: number | undefined;
  private recent: Arrival[] = [];

  constructor(private readonly now: () => number = () => performance.now()) {}

  note(audioMs: number): void {
    const atMs = this.now();
    if (this.startedAt === undefined) {
      this.startedAt = atMs;
      return;
    }
    this.recent.push({ atMs, audioMs });
    while (this.recent[0]!.atMs <= atMs - WINDOW_MS) this.recent.shift();
  }

  /** The verdict once enough has arrived to tell; undefined before. */
  get settled(): InputPaceVerdict | undefined {
    if (this.startedAt === undefined) return undefined;
    const elapsedMs = this.now() - this.startedAt;
    if (elapsedMs < DECIDE_AFTER_MS && this.audioInWindow() < DECIDE_AFTER_AUDIO_MS) return undefined;
    return this.verdict();
  }

  /** The best guess now: real time until the audio shows otherwise. */
  verdict(): InputPaceVerdict {
    if (this.startedAt === undefined) return 'real-time';
    const nowMs = this.now();
    const spanMs = Math.max(1, Math.min(WINDOW_MS, nowMs - this.startedAt));
    return this.audioInWindow(nowMs) >= FAST_RATIO * spanMs ? 'fast' : 'real-time';
  }

  private audioInWindow(nowMs = this.now()): number {
    let audioMs = 0;
    for (const arrival of this.recent) if (arrival.atMs > nowMs - WINDOW_MS) audioMs += arrival.audioMs;
    return audioMs;
  }
}
