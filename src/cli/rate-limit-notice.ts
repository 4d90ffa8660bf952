import type { ServerEventOf } from '../protocol/events.js';

/** Below this share of a limit left, the user hears about it. */
const LOW_SHARE = 0.1;

/** One line when a rate limit is nearly used up, otherwise nothing. */
export function rateLimitNotice(event: ServerEventOf<'rate_limits.updated'>): string | undefined {
  const low = (event.rate_limits ?? []).filter((limit) =>
    typeof limit.limit === 'number' && typeof limit.remaining === 'number' && limit.limit > 0
    && limit.remaining / limit.limit < LOW_SHARE);
  if (low.length === 0) return undefined;
  return `close to the rate limit: ${low.map((limit) =>
    `${limit.remaining} of ${limit.limit} ${limit.name ?? 'units'} left, resets in ${Math.ceil(limit.reset_seconds ?? 0)} s`).join('; ')}`;
}

/** What a rate-limit error means for someone at a terminal. */
export function explainServerError(code: string | null | undefined, message: string): string {
  if (code === 'rate_limit_exceeded') {
    return `${message} (rate limited: wait a moment, or lower the pace; a feedback loop from the speaker also burns through limits)`;
  }
  if (code === 'insufficient_quota') return `${message} (out of credit: check billing for the API key's project)`;
  return message;
}
