import type { RealtimeSession } from '../client/session.js';
import { Reconnector } from '../client/reconnector.js';
import type { SessionConfig } from '../protocol/events.js';
import type { ListeningTransport } from '../protocol/transport.js';
import type { Logger } from '../logger.js';
import type { TerminalUi } from './tui/terminal-ui.js';

export interface ConnectionKeeperParts {
  session: RealtimeSession;
  logger: Logger;
  ui: TerminalUi | undefined;
  sessionConfig: SessionConfig;
  /** Opens a new connection to the same endpoint; undefined when reconnecting is off. */
  connect: (() => Promise<ListeningTransport>) | undefined;
  reconnectTimeoutSeconds: number;
  /** The restored items will be announced again by the new session. */
  onRestored: (items: number) => void;
}

/**
 * A connection the server dropped: reconnect (saying so in one line) when allowed,
 * otherwise report it. Resolves whether the conversation goes on.
 */
export class ConnectionKeeper {
  private readonly reconnector: Reconnector | undefined;

  constructor(private readonly parts: ConnectionKeeperParts) {
    this.reconnector = parts.connect ? this.createReconnector(parts.connect) : undefined;
  }

  async connectionLost(code: number, reason: string): Promise<boolean> {
    const why = `code ${code}${reason ? `: ${reason}` : ''}`;
    if (!this.reconnector) {
      this.parts.logger.log('error', `connection closed by the server (${why})`);
      return false;
    }
    return this.reconnector.recover(why);
  }

  stop(): void {
    this.reconnector?.stop();
  }

  private createReconnector(connect: () => Promise<ListeningTransport>): Reconnector {
    const { session, logger, ui, reconnectTimeoutSeconds } = this.parts;
    return new Reconnector(session, {
      connect,
      sessionConfig: () => this.parts.sessionConfig,
      giveUpAfterMs: reconnectTimeoutSeconds * 1000,
      onReconnecting: (attempt, delayMs, reason) => {
        logger.log(attempt === 1 ? 'warn' : 'debug', `connection lost (${reason}): reconnecting in ${delayMs} ms (attempt ${attempt})`);
        ui?.dispatch({ type: 'notice', text: 'reconnecting…' });
      },
      onReconnected: (restored) => {
        this.parts.onRestored(restored);
        logger.log('warn', `reconnected; the conversation so far was restored (${restored} item${restored === 1 ? '' : 's'})`);
        ui?.dispatch({ type: 'notice', text: undefined });
      },
      onGaveUp: (reason) => logger.log('error', `could not reconnect within ${reconnectTimeoutSeconds} s (${reason}); ending the session`),
      onRejected: (error) => logger.log('error', `${error.message}; ending the session`),
    });
  }
}
