import type { EventEmitter } from 'node:events';

/**
 * Waiting in tests: always for a condition, always with a deadline, never "sleep N ms".
 * A timeout names what was awaited, so a failure says what did not happen.
 */
export interface WaitOptions {
  /** What is awaited, for the error message. */
  what: string;
  timeoutMs?: number;
  /** How often a condition that has no event of its own is looked at again. */
  everyMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Resolves with the first truthy value of `check` (looked at now, then every `everyMs`); rejects after the deadline. */
export async function waitFor<T>(check: () => T | Promise<T>, options: WaitOptions): Promise<Exclude<T, false | 0 | '' | null | undefined>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | 0 | '' | null | undefined>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 20));
  }
}

/** Resolves with the arguments of the first `event` on `emitter` that `match` accepts; rejects after the deadline. */
export function waitForEvent<A extends unknown[] = unknown[]>(emitter: EventEmitter, event: string,
  options: WaitOptions & { match?: (...args: A) => boolean }): Promise<A> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      if (options.match && !options.match(...(args as A))) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args as A);
    };
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${options.what}`));
    }, timeoutMs);
    emitter.on(event, listener);
  });
}

/** Resolves once `child` has exited (at once if it already has). */
export function exited(child: { exitCode: number | null; signalCode: NodeJS.Signals | null; once(event: 'exit', listener: () => void): unknown }): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
