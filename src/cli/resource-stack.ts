import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Everything a run opens, closed once in reverse order of opening: a failure at any
 * step closes exactly what was opened before it, and a close that fails is reported
 * without keeping the others open.
 */
export class ResourceStack {
  private readonly closers: Array<{ name: string; close: () => unknown }> = [];
  private closed = false;

  constructor(private readonly logger: Logger) {}

  /** Registers what closes a resource just opened; returns the resource for chaining. */
  defer<T>(name: string, resource: T, close: (resource: T) => unknown): T {
    if (this.closed) throw new Error(`cannot open ${name}: already closed`);
    this.closers.push({ name, close: () => close(resource) });
    return resource;
  }

  /**
   * Registers a resource still being opened: closed once it is open, if it opens. With
   * `wait: false` closing does not wait for it (a connection attempt can take its timeout).
   * Returns the same promise; a failure to open is the caller's to see when it awaits it.
   */
  deferPending<T>(name: string, opening: Promise<T>, close: (resource: T) => unknown, options: { wait: boolean } = { wait: true }): Promise<T> {
    const closeWhenOpen = (): Promise<unknown> => opening.then(close, () => undefined);
    this.defer(name, opening, () => (options.wait ? closeWhenOpen() : void closeWhenOpen().catch(() => undefined)));
    opening.catch(() => undefined);
    return opening;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    for (let closer = this.closers.pop(); closer; closer = this.closers.pop()) {
      try {
        await closer.close();
      } catch (error) {
        this.logger.log('warn', `${closer.name}: ${errorMessage(error)}`);
      }
    }
  }
}
