import type { RealtimeSession } from '../client/session.js';
import { Reconnector } from '../client/reconnector.js';
import { SessionRenewal } from '../client/session-renewal.js';
import type { SessionConfig } from '../protocol/events.js';
import type { ListeningTransport } from '../protocol/transport.js';
import type { Logger } from '../logger.js';
import type { TerminalUi } from './tui/terminal-ui.js';

export interface ConnectionKeeperParts {
  session: RealtimeSession;
  logger: Logger;
  ui: TerminalUi | undefined;
  sessionConfig: SessionConfig;
  /** Opens a new connection to the same endpoint; undefined where a session cannot move (GPT-Live). */
  connect: (() => Promise<ListeningTransport>) | undefined;
  /** `--reconnect` (default on). */
  reconnect: boolean;
  reconnectTimeoutSeconds: number;
  /** `--renew-after-minutes` (0: never). */
  renewAfterMinutes: number;
  /** Nothing is being said or played: a renewal now loses nothing. */
  quiet: () => boolean;
}

/**
 * Keeps the conversation connected: a connection the server dropped is reconnected (said in
 * one line) when allowed, otherwise reported; a session near the service's time limit is
 * renewed between turns. The status bar is told each attempt, the reconnect, and the end of
 * the connection when there is no reconnecting it.
 */
export class ConnectionKeeper {
  private readonly reconnector: Reconnector | undefined;
  private readonly renewal: SessionRenewal | undefined;

  constructor(private readonly parts: ConnectionKeeperParts) {
    const { connect } = parts;
    this.reconnector = connect && parts.reconnect ? this.createReconnector(connect) : undefined;
    this.renewal = connect && parts.renewAfterMinutes > 0 ? this.createRenewal(connect) : undefined;
  }

  async connectionLost(code: number, reason: string): Promise<boolean> {
    const why = `code ${code}${reason ? `: ${reason}` : ''}`;
    if (!this.reconnector) {
      this.parts.logger.log('error', `connection closed by the server (${why})`);
      this.parts.ui?.dispatch({ type: 'connection-ended' });
      return false;
    }
    return this.reconnector.recover(why);
  }

  stop(): void {
    this.reconnector?.stop();
    this.renewal?.stop();
  }

  /** Before the service's time limit ends the session, a new one carries the conversation on, between turns. */
  private createRenewal(connect: () => Promise<ListeningTransport>): SessionRenewal {
    const { session, logger } = this.parts;
    return new SessionRenewal(session, {
      connect, sessionConfig: () => this.parts.sessionConfig, renewAfterMs: this.parts.renewAfterMinutes * 60_000, quiet: this.parts.quiet,
      onRenewed: (items) => {
        logger.log('info', `session renewed before the service's time limit (${items} item${items === 1 ? '' : 's'} carried over)`);
      },
      onFailed: (reason) => logger.log('warn', `could not renew the session (${reason}); it goes on, and a reconnect carries it over when it ends`),
    });
  }

  private createReconnector(connect: () => Promise<ListeningTransport>): Reconnector {
    const { session, logger, ui, reconnectTimeoutSeconds } = this.parts;
    return new Reconnector(session, {
      connect,
      sessionConfig: () => this.parts.sessionConfig,
      giveUpAfterMs: reconnectTimeoutSeconds * 1000,
      onReconnecting: (attempt, delayMs, reason) => {
        logger.log(attempt === 1 ? 'warn' : 'debug', `connection lost (${reason}): reconnecting in ${delayMs} ms (attempt ${attempt})`);
        ui?.dispatch({ type: 'reconnecting', attempt });
      },
      onReconnected: (restored) => {
        logger.log('warn', `reconnected; the conversation so far was restored (${restored} item${restored === 1 ? '' : 's'})`);
        ui?.dispatch({ type: 'connected' });
      },
      onGaveUp: (reason) => {
        logger.log('error', `could not reconnect within ${reconnectTimeoutSeconds} s (${reason}); ending the session`);
        ui?.dispatch({ type: 'connection-ended' });
      },
      onRejected: (error) => {
        logger.log('error', `${error.message}; ending the session`);
        ui?.dispatch({ type: 'connection-ended' });
      },
    });
  }
}
