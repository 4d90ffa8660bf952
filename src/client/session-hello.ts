import type { ServerEvent } from '../protocol/events.js';

/** What a Realtime server says first on a new connection (GA and beta alike; Live's session.started arrives as both). */
export function beginsSession(event: ServerEvent): boolean {
  return event.type === 'session.created' || event.type === 'session.updated';
}

/** Why the first connection never became a session. */
export type HelloFailure =
  | { kind: 'closed'; code: number; reason: string; malformed: number }
  | { kind: 'silent'; waitedMs: number; malformed: number };

/** The part of the session the watch reads: whether a session began, and what the server says. */
export interface HelloSource {
  readonly sessionBegun: boolean;
  /** Frames the server sent that were not Realtime events. */
  readonly malformedCount: number;
  on(event: 'server-event', listener: (event: ServerEvent) => void): unknown;
}

/**
 * The first connection is a conversation only once the server begins a session. A URL that
 * reaches some other WebSocket server (or one that hangs) would otherwise be taken for a
 * live connection: kaiwa waited 30 s for an answer, or "reconnected" to a server that only
 * ever hung up. Until the session begins, a silent server is given `afterMs`, and a close is
 * the end of the run, said in one line with what the server sent instead.
 */
export class SessionHelloWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly source: HelloSource, private readonly onSilent: (failure: HelloFailure) => void, private readonly afterMs: number) {
    if (source.sessionBegun) return;
    source.on('server-event', (event) => { if (beginsSession(event)) this.stop(); });
    this.timer = setTimeout(() => this.onSilent({ kind: 'silent', waitedMs: this.afterMs, malformed: this.source.malformedCount }), afterMs);
    this.timer.unref?.();
  }

  /** A session began on the first connection (or since): a close from now on is a lost connection. */
  get sessionBegun(): boolean {
    return this.source.sessionBegun;
  }

  /** The connection closed before a session began: why, for the one line that ends the run. */
  closedBeforeHello(code: number, reason: string): HelloFailure {
    this.stop();
    return { kind: 'closed', code, reason, malformed: this.source.malformedCount };
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The one line that ends a run whose first connection never became a session. */
export function helloFailureMessage(failure: HelloFailure): string {
  const what = failure.kind === 'closed'
    ? `the server closed the connection before a session began (code ${failure.code}${failure.reason ? `: ${failure.reason}` : ''})`
    : `the server accepted the connection but began no session in ${formatSeconds(failure.waitedMs)} (no session.created)`;
  const sent = failure.malformed > 0
    ? `; what it sent (${failure.malformed} message${failure.malformed === 1 ? '' : 's'}) was not Realtime events: is the URL a Realtime endpoint?`
    : '';
  return what + sent;
}

function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
