/**
 * `rate_limits.updated` after each response. This server enforces no limits; it reports a
 * nominal per-minute budget and how much of it the session used in the last minute, so a
 * client's rate-limit display shows real consumption instead of a constant.
 */
import type { ServerEventOf } from '../protocol/events.js';

type RateLimit = ServerEventOf<'rate_limits.updated'>['rate_limits'][number];

const WINDOW_MS = 60_000;
export const NOMINAL_REQUESTS_PER_MINUTE = 1_000;
export const NOMINAL_TOKENS_PER_MINUTE = 1_000_000;

export class RateLimitWindow {
  private entries: Array<{ at: number; tokens: number }> = [];

  constructor(private readonly now: () => number = Date.now) {}

  record(tokens: number): RateLimit[] {
    const at = this.now();
    this.entries = this.entries.filter((entry) => entry.at > at - WINDOW_MS);
    this.entries.push({ at, tokens });
    const used = this.entries.reduce((sum, entry) => sum + entry.tokens, 0);
    const resetSeconds = Math.max(0, (this.entries[0]!.at + WINDOW_MS - at) / 1000);
    return [
      { name: 'requests', limit: NOMINAL_REQUESTS_PER_MINUTE, remaining: Math.max(0, NOMINAL_REQUESTS_PER_MINUTE - this.entries.length), reset_seconds: resetSeconds },
      { name: 'tokens', limit: NOMINAL_TOKENS_PER_MINUTE, remaining: Math.max(0, NOMINAL_TOKENS_PER_MINUTE - used), reset_seconds: resetSeconds },
    ];
  }
}
