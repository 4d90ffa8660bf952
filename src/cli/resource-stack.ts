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
