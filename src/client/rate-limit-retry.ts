import type { Response } from '../protocol/events.js';
import { LONGEST_RATE_LIMIT_WAIT_MS, rateLimitWaitMs } from './rate-limit-wait.js';

/**
 * An answer the service failed for a rate limit is asked for once more after the wait it
 * names: the user's words are in the conversation already, and a refused request costs
 * nothing. Only once: the retry's own failure is reported as it is.
 */
export class RateLimitRetry {
  private timer: NodeJS.Timeout | undefined;
  /** The request in flight is a retry: its failure is final. */
  private retried = false;

  /** `askAgain` sends the retry when the wait is over. */
  constructor(private readonly askAgain: () => void) {}

  /** A retry waits its time. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /** After each finished response: the wait before its answer is asked for again, or undefined (not retried). */
  after(response: Response, answersRequest: boolean): number | undefined {
    if (!answersRequest) return undefined;
    const retried = this.retried;
    this.retried = false;
    const waitMs = rateLimitWaitMs(response);
    if (retried || this.timer || waitMs === undefined || waitMs > LONGEST_RATE_LIMIT_WAIT_MS) return undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.askAgain();
      this.retried = true;
    }, waitMs);
    this.timer.unref?.();
    return waitMs;
  }

  /** The retry is not wanted any more (cancelled, the user spoke, the connection went). True if one waited. */
  cancel(): boolean {
    const waited = this.timer !== undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    return waited;
  }
}
