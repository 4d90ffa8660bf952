/**
 * A response under way whose server then says nothing at all (no delta, no item, no
 * response.done) for this long is stuck, though the connection may still answer pings.
 * Longer than AnswerOverdueWatch's limit: a reasoning model may think for a while after
 * response.created before its first word.
 */
export const ANSWER_STALLED_MS = 60_000;

/**
 * Watches a response from response.created to response.done. Every server event counts as
 * a sign of life, and there may be hundreds a second: each only notes the time; the one
 * timer looks at it when it runs out, and is set again for what remains.
 */
export class AnswerStallWatch {
  private timer: NodeJS.Timeout | undefined;
  private lastHeardAt = 0;

  constructor(
    private readonly onStalled: (silentMs: number) => void,
    private readonly afterMs = ANSWER_STALLED_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A response began: the watch starts (again). */
  started(): void {
    this.lastHeardAt = this.now();
    this.arm(this.afterMs);
  }

  /** The server said something. */
  heard(): void {
    this.lastHeardAt = this.now();
  }

  /** The response ended, or the connection that carried it is gone. */
  ended(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(ms: number): void {
    this.ended();
    this.timer = setTimeout(() => this.check(), ms);
    this.timer.unref?.();
  }

  private check(): void {
    this.timer = undefined;
    const silentMs = this.now() - this.lastHeardAt;
    if (silentMs < this.afterMs) return this.arm(this.afterMs - silentMs);
    this.onStalled(Math.round(silentMs));
  }
}
