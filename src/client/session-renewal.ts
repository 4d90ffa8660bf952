import type { RealtimeSession } from './session.js';
import type { ListeningTransport } from '../protocol/transport.js';
import type { SessionConfig } from '../protocol/events.js';
import { restorableItems } from './context-restore.js';
import { errorMessage } from '../errors.js';

export interface SessionRenewalOptions {
  connect: () => Promise<ListeningTransport>;
  sessionConfig: () => SessionConfig;
  /** Renew this long after the session began (the service ends sessions after 60 minutes). */
  renewAfterMs: number;
  /** Nothing is being said or played: a switch now loses no audio and no text. */
  quiet: () => boolean;
  /** How often a due renewal looks for a quiet moment. */
  checkEveryMs?: number;
  onRenewed?: (restoredItems: number) => void;
  onFailed?: (reason: string) => void;
}

/**
 * Renews a session before the service's time limit ends it: once due, at the first quiet
 * moment between turns, a new connection gets the config and the conversation so far, and
 * the old one is closed. If renewing fails, the old session goes on (and a reconnect
 * carries the conversation over when the service does end it).
 */
/** After a failed attempt: the session still has minutes left, so try again soon. */
const RETRY_MS = 30_000;

export class SessionRenewal {
  private dueTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  /** A new connection opened while it was not quiet; it waits for the quiet moment. */
  private ready: ListeningTransport | undefined;
  private connecting = false;
  private stopped = false;

  constructor(private readonly session: RealtimeSession, private readonly options: SessionRenewalOptions) {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.dueTimer);
    clearInterval(this.checkTimer);
    void this.ready?.close(1000);
    this.ready = undefined;
  }

  private schedule(): void {
    this.dueTimer = setTimeout(() => this.watchForQuiet(), this.options.renewAfterMs);
    this.dueTimer.unref();
  }

  private watchForQuiet(): void {
    this.checkTimer = setInterval(() => this.check(), this.options.checkEveryMs ?? 250);
    this.checkTimer.unref();
    this.check();
  }

  private check(): void {
    if (this.stopped || this.connecting || !this.session.isOpen) return;
    if (!this.ready) {
      void this.open();
      return;
    }
    if (!this.ready.isOpen) this.ready = undefined;
    else if (this.options.quiet()) this.switchTo(this.ready);
  }

  private async open(): Promise<void> {
    this.connecting = true;
    try {
      this.ready = await this.options.connect();
      if (this.stopped) this.stop();
      else this.check();
    } catch (error) {
      clearInterval(this.checkTimer);
      this.options.onFailed?.(errorMessage(error));
      this.dueTimer = setTimeout(() => this.watchForQuiet(), RETRY_MS);
      this.dueTimer.unref();
    } finally {
      this.connecting = false;
    }
  }

  /** The switch itself is synchronous: no event can fall between the two connections. */
  private switchTo(transport: ListeningTransport): void {
    clearInterval(this.checkTimer);
    this.ready = undefined;
    const items = restorableItems(this.session.state.items);
    const old = this.session.replaceConnection(transport, this.options.sessionConfig(), items);
    void old.close(1000, 'session renewed');
    this.options.onRenewed?.(items.length);
    this.schedule();
  }
}
