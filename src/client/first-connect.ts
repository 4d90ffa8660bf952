import { setTimeout as delay } from 'node:timers/promises';
import { ConnectionError } from '../errors.js';

export interface FirstConnectOptions {
  /** Tries after the first (the openai SDK's default is 2). */
  retries?: number;
  firstDelayMs?: number;
  /** Told before each wait: what failed, how long it waits, which try comes next. */
  onRetry?: (error: ConnectionError, delayMs: number, attempt: number) => void;
  /** Stops the waiting (Ctrl-C before the conversation began). */
  signal?: AbortSignal;
}

/**
 * The first connection, tried again when the server answered with a refusal that passes (503,
 * 500, 429, 408, 409: a service restarting or busy), as the openai SDK retries a request.
 * Anything else fails at once: a refused socket or an unknown host says the URL or the
 * network is wrong, and a 401/403/404 will answer the same every time.
 */
export async function connectWithRetries<T>(connect: () => Promise<T>, options: FirstConnectOptions = {}): Promise<T> {
  const retries = options.retries ?? 2;
  let wait = options.firstDelayMs ?? 500;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await connect();
    } catch (error) {
      if (attempt > retries || !passingRefusal(error)) throw error;
      options.onRetry?.(error, wait, attempt + 1);
      await delay(wait, undefined, options.signal ? { signal: options.signal } : {}).catch(() => { throw error; });
      wait *= 2;
    }
  }
}

/** The one line a user sees before a wait. */
export function retryNotice(error: ConnectionError, delayMs: number, attempt: number, retries = 2): string {
  return `${error.message}; trying again in ${(delayMs / 1000).toFixed(1)} s (try ${attempt} of ${retries + 1})`;
}

function passingRefusal(error: unknown): error is ConnectionError {
  return error instanceof ConnectionError && error.status !== undefined && error.retryable;
}
