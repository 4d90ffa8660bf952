import type { Logger, LogLevel } from './logger.js';

/**
 * A logger whose lines wait until `release()`, then pass straight through. Work started early
 * for speed (the sound devices, while flags are still checked) says what it found only if the
 * run gets as far as using it: a run refused for a bad flag is one line, not device warnings first.
 */
export class HeldLogger implements Logger {
  private held: Array<[LogLevel, string]> | undefined = [];

  constructor(private readonly target: Logger) {}

  log(level: LogLevel, message: string): void {
    if (this.held) this.held.push([level, message]);
    else this.target.log(level, message);
  }

  /** Writes what was held, in order, and passes every later line on at once. */
  release(): void {
    const lines = this.held ?? [];
    this.held = undefined;
    for (const [level, message] of lines) this.target.log(level, message);
  }
}
