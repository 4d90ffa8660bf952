/**
 * A server answers a `response.create` at once (`response.created`, or an `error` refusing
 * it), however long the answer then takes. One that has said nothing about kaiwa's request
 * for this long is stuck, though the connection may still answer pings: the person waiting
 * (or a script run with --once) should hear of it instead of waiting for ever.
 */
export const ANSWER_OVERDUE_MS = 30_000;

export class AnswerOverdueWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onOverdue: (waitedMs: number) => void, private readonly afterMs = ANSWER_OVERDUE_MS) {}

  /** kaiwa's request went out: the clock starts (again). */
  requested(): void {
    this.settled();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onOverdue(this.afterMs);
    }, this.afterMs);
    this.timer.unref?.();
  }

  /** The server took the request up or refused it, or the connection that carried it is gone. */
  settled(): void {
    // Asked after every server event (audio deltas included): nothing to do unless armed.
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
