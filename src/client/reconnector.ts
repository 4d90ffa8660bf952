import type { RealtimeSession } from './session.js';
import type { ListeningTransport } from '../protocol/transport.js';
import type { ServerEvent, SessionConfig, TranscriptionSessionConfig } from '../protocol/events.js';
import { beginsSession } from './session-hello.js';
import { restorableItems } from './context-restore.js';
import { ConnectionError, errorMessage } from '../errors.js';

export interface ReconnectOptions {
  connect: () => Promise<ListeningTransport>;
  sessionConfig: () => SessionConfig | TranscriptionSessionConfig;
  /** Give the new session the conversation so far (default); a transcription session has none to give. */
  restoreContext?: boolean;
  /** Give up when no connection succeeded for this long. */
  giveUpAfterMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  onReconnecting?: (attempt: number, delayMs: number, reason: string) => void;
  onReconnected?: (restoredItems: number) => void;
  onGaveUp?: (reason: string) => void;
  /** How long a new connection may stay silent before it counts as a failed attempt. */
  helloTimeoutMs?: number;
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
  private recovering: Promise<boolean> | undefined;
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

  /**
   * Call when the connection ended without us closing it. Resolves true once reconnected;
   * a loss noticed again while recovering (a new connection dropping) joins the same recovery.
   */
  recover(reason: string): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    this.recovering ??= this.reconnect(reason).finally(() => { this.recovering = undefined; });
    return this.recovering;
  }

  /**
   * Each attempt: connect, resume the session on the new connection (config, the context as
   * it was when the loss began, what never reached the old one), then wait for the server's
   * first word. A connection that closes before it is a failed attempt, not a reconnect.
   */
  private async reconnect(reason: string): Promise<boolean> {
    const snapshot = this.options.restoreContext === false ? [] : restorableItems(this.session.state.items, this.session.replyToAskAgain);
    const start = this.backoffStart();
    let delay = start.delay;
    let lastError = reason;
    for (let attempt = 1; !this.stopped; attempt += 1) {
      const jittered = Math.round(delay * (0.5 + (this.options.random ?? Math.random)()));
      if (Date.now() + jittered > start.deadline) break;
      this.options.onReconnecting?.(attempt, jittered, lastError);
      await new Promise((resolve) => setTimeout(resolve, jittered));
      delay = Math.min(delay * 2, this.options.maxDelayMs ?? 5000);
      const transport = await this.connect();
      if (transport instanceof ConnectionError) return this.rejected(transport);
      if (typeof transport === 'string') {
        lastError = transport;
        continue;
      }
      this.carried = { deadline: start.deadline, delay };
      this.session.resume(transport, this.options.sessionConfig(), snapshot);
      if (this.stopped) return false;
      if (await this.heardFrom(transport, () => this.options.onReconnected?.(snapshot.length))) return true;
      lastError = 'the server closed the new connection before the session began';
    }
    if (!this.stopped) this.options.onGaveUp?.(lastError);
    return false;
  }

  /** A connection, a refusal no retry can change, or why this attempt failed. */
  private async connect(): Promise<ListeningTransport | ConnectionError | string> {
    try {
      return await this.options.connect();
    } catch (error) {
      if (error instanceof ConnectionError && !error.retryable) return error;
      return errorMessage(error);
    }
  }

  /**
   * True once the new session begins (session.created or session.updated: what a Realtime
   * server says first); false if the connection closes first or the server stays silent, or
   * says only what is not a Realtime event (a server that answers anything and hangs up must
   * not be reported as reconnected). `onHeard` runs in that event's handler: the events that
   * came in the same read follow it synchronously, before an awaiting caller would resume,
   * and a reply under way must not be printed ahead of the news that the connection is back.
   */
  private heardFrom(transport: ListeningTransport, onHeard: () => void): Promise<boolean> {
    if (!transport.isOpen) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (heard: boolean): void => {
        clearTimeout(timer);
        this.session.off('server-event', onEvent);
        transport.off('close', onClose);
        if (!heard && transport.isOpen) void transport.close(1000, 'no session began');
        resolve(heard);
      };
      const onEvent = (event: ServerEvent): void => {
        if (!beginsSession(event)) return;
        finish(true);
        onHeard();
      };
      const onClose = (): void => finish(false);
      this.session.on('server-event', onEvent);
      transport.on('close', onClose);
      const timer = setTimeout(() => finish(false), this.options.helloTimeoutMs ?? 10_000);
    });
  }

  /**
   * A connection that dropped before its session even said hello does not earn a fresh
   * deadline: a server that accepts and hangs up at once must not be retried forever.
   */
  private backoffStart(): { deadline: number; delay: number } {
    return this.carried ?? { deadline: Date.now() + (this.options.giveUpAfterMs ?? 60_000), delay: this.options.firstDelayMs ?? 250 };
  }

  private rejected(error: ConnectionError): false {
    this.options.onRejected?.(error);
    return false;
  }
}
