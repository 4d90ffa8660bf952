import type { RealtimeSession } from './session.js';
import type { ListeningTransport } from '../protocol/transport.js';
import type { SessionConfig } from '../protocol/events.js';
import { restorableItems } from './context-restore.js';
import { ConnectionError, errorMessage } from '../errors.js';

export interface ReconnectOptions {
  connect: () => Promise<ListeningTransport>;
  sessionConfig: () => SessionConfig;
  /** Give up when no connection succeeded for this long. */
  giveUpAfterMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  onReconnecting?: (attempt: number, delayMs: number, reason: string) => void;
  onReconnected?: (restoredItems: number) => void;
  onGaveUp?: (reason: string) => void;
  /** The server refused us in a way another attempt cannot change (401, 403, 404): no more tries. */
  onRejected?: (error: ConnectionError) => void;
  random?: () => number;
}

/**
 * Keeps a conversation going across lost connections and expired sessions: reconnects
 * with exponential back-off and jitter, re-applies the session config, and gives the new
 * session the conversation so far as items. Audio captured while offline is not queued
 * (the session drops appends on a closed socket): a late replay of speech would be wrong.
 */
export class Reconnector {
  private reconnecting = false;
  private stopped = false;
  /** The back-off of the last recovery, until its new session proves itself. */
  private carried: { deadline: number; delay: number } | undefined;

  constructor(private readonly session: RealtimeSession, private readonly options: ReconnectOptions) {
    // A new session that says hello works: the next loss starts a fresh back-off.
    session.on('server-event', (event) => { if (event.type === 'session.created') this.carried = undefined; });
  }

  stop(): void {
    this.stopped = true;
  }

  /** Call when the connection ended without us closing it. Resolves true once reconnected. */
  async recover(reason: string): Promise<boolean> {
    if (this.reconnecting || this.stopped) return false;
    this.reconnecting = true;
    const snapshot = restorableItems(this.session.state.items);
    try {
      const transport = await this.connectWithBackoff(reason);
      if (!transport) return false;
      this.session.resume(transport, this.options.sessionConfig(), snapshot);
      this.options.onReconnected?.(snapshot.length);
      return true;
    } finally {
      this.reconnecting = false;
    }
  }

  /**
   * A connection that dropped before its session even said hello does not earn a fresh
   * deadline: a server that accepts and hangs up at once must not be retried forever.
   */
  private backoffStart(): { deadline: number; delay: number } {
    return this.carried ?? { deadline: Date.now() + (this.options.giveUpAfterMs ?? 60_000), delay: this.options.firstDelayMs ?? 250 };
  }

  private async connectWithBackoff(reason: string): Promise<ListeningTransport | undefined> {
    const start = this.backoffStart();
    const deadline = start.deadline;
    let delay = start.delay;
    let lastError = reason;
    for (let attempt = 1; !this.stopped; attempt += 1) {
      const jittered = Math.round(delay * (0.5 + (this.options.random ?? Math.random)()));
      if (Date.now() + jittered > deadline) break;
      this.options.onReconnecting?.(attempt, jittered, lastError);
      await new Promise((resolve) => setTimeout(resolve, jittered));
      delay = Math.min(delay * 2, this.options.maxDelayMs ?? 5000);
      try {
        const transport = await this.options.connect();
        this.carried = { deadline, delay };
        return transport;
      } catch (error) {
        if (error instanceof ConnectionError && !error.retryable) return this.rejected(error);
        lastError = errorMessage(error);
      }
    }
    if (!this.stopped) this.options.onGaveUp?.(lastError);
    return undefined;
  }

  private rejected(error: ConnectionError): undefined {
    this.options.onRejected?.(error);
    return undefined;
  }
}
