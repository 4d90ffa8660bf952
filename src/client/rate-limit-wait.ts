import type { Response } from '../protocol/events.js';

/** Waits the service asks for that are longer than this are not waited out: the answer fails. */
export const LONGEST_RATE_LIMIT_WAIT_MS = 30_000;
/** When the service names no wait. */
const DEFAULT_WAIT_MS = 1_000;

/**
 * The wait a response that failed for a rate limit asks for ("Please try again in 1.8s"),
 * or undefined when it did not fail so.
 */
export function rateLimitWaitMs(response: Response): number | undefined {
  const details = response.status_details as { error?: { code?: string | null; message?: string | null } } | null | undefined;
  if (response.status !== 'failed' || details?.error?.code !== 'rate_limit_exceeded') return undefined;
  const said = /try again in (\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(details.error.message ?? '');
  if (!said) return DEFAULT_WAIT_MS;
  return Math.ceil(Number(said[1]) * (said[2]!.toLowerCase() === 'ms' ? 1 : 1000));
}
