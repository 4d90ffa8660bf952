/**
 * Holds a connection's server events back by a fixed delay plus a random jitter, as a slow
 * or congested network does. Order is kept: an event never leaves before the one sent
 * ahead of it, however the jitter falls (a WebSocket is one ordered stream).
 */

export interface Pacing {
  delayMs: number;
  jitterMs: number;
  /** [0, 1); Math.random by default (tests pass a fixed one). */
  random?: () => number;
}

interface Held {
  due: number;
  text: string;
  done: (() => void) | undefined;
}

export class EventPacer {
  private readonly held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastDue = 0;

  constructor(private readonly pacing: Pacing, private readonly write: (text: string, done: () => void) => void) {}

  send(text: string, done?: () => void): void {
    const jitter = this.pacing.jitterMs > 0 ? (this.pacing.random ?? Math.random)() * this.pacing.jitterMs : 0;
    const due = Math.max(this.lastDue, Date.now() + this.pacing.delayMs + jitter);
    this.lastDue = due;
    this.held.push({ due, text, done });
    if (!this.timer) this.arm();
  }

  /** Forgets what is held (the connection is gone). */
  clear(): void {
    this.held.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const next = this.held[0];
    if (!next) return;
    this.timer = setTimeout(() => this.release(), Math.max(0, next.due - Date.now()));
  }

  private release(): void {
    this.timer = undefined;
    const now = Date.now();
    while (this.held.length > 0 && this.held[0]!.due <= now) {
      const { text, done } = this.held.shift()!;
      this.write(text, done ?? (() => undefined));
    }
    this.arm();
  }
}
