/**
 * Fault injection for testing clients against kaiwa's local server (`kaiwa/testing`): make
 * the network fail the way it really does, at the moment a test chooses.
 *
 * - **drop**: the TCP connection just ends (`ws.terminate()`: no close frame, the client
 *   sees code 1006), as when Wi-Fi goes away or a proxy dies. Immediately, or when the
 *   server is about to send (or has just sent) its nth event of some type, so a drop can
 *   land mid-response (`response.output_audio.delta`) or mid-tool-call
 *   (`response.function_call_arguments.done`), or when the client sends some event.
 * - **expire**: the session ends the way the service ends one at its maximum duration: an
 *   `error` event `{type: 'invalid_request_error', code: 'session_expired'}` and then a
 *   close frame (1000, "session expired").
 * - **refuse**: the next connection attempts are refused with an HTTP status (503 by
 *   default), for reconnect back-off tests. Each refusal is reported like the other faults
 *   (action 'refuse', with its status; no session id, as none was opened).
 *
 * Usage (a test):
 *
 *   const faults = new FaultInjector();
 *   const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), connectionHook: faults });
 *   const sessionId = await faults.nextSession();           // the id in session.created
 *   faults.dropOnServerEvent('response.output_audio.delta', { nth: 3 });  // drop before the 3rd delta
 *   const fired = await faults.dropOnServerEvent('response.function_call_arguments.done', { timing: 'after' }).fired;
 *   faults.drop(sessionId);   // or faults.dropAll()
 *   faults.expire(sessionId); // error session_expired, then close 1000
 *   faults.refuseNext(2);     // the next two upgrades get HTTP 503
 *   faults.rateLimitResponses({ nth: 2 }); // each session's 2nd response.create fails: rate_limit_exceeded
 *   faults.pace({ delayMs: 50, jitterMs: 20 });  // server events arrive late (in order)
 *   faults.failSessionsAfter(30_000, 'expire');   // every session expires 30 s after it opens
 *   faults.silenceAfterEvents(2);  // every session says nothing after its 2nd event (a hung server)
 *   faults.malformEvent(5);        // every session's 5th event goes out cut off (not JSON)
 *
 * `kaiwa serve --faults SPEC` arms the same injector from a one-line spec (fault-spec.ts).
 *
 * Event types are matched as they appear on the wire, i.e. in the session's dialect
 * (`response.audio.delta` for a beta client). A rule counts matching events per session and
 * fires once (or `times` times); its `fired` promise resolves with what happened.
 *
 * The catalogue of faults is in fault-rules.ts; this class plugs it into the server through
 * the server's one ConnectionHook.
 */
import { EventEmitter } from 'node:events';
import type { Transport } from '../protocol/transport.js';
import type { ConnectionHook, HookedSocket, UpgradeRefusal } from '../server/connection-hook.js';
import type { SocketSession } from '../server/realtime-server.js';
import { FaultConnection, type EventCountFaults, type FaultRegistry, type FaultSessionInfo } from './fault-connection.js';
import type { Pacing } from './event-pacer.js';
import {
  FaultRuleBook, type EventMatch, type FaultAction, type FaultReport, type FaultRule,
  type FaultRuleOptions, type FiredRule,
} from './fault-rules.js';

/** What the service says when it turns a connection away with each status. */
const REFUSAL_MESSAGES: Readonly<Record<number, string>> = {
  401: 'Incorrect API key provided (fault injected).',
  403: 'You are not allowed to access this model (fault injected).',
  404: 'The model does not exist or you do not have access to it (fault injected).',
  429: 'Rate limit reached for requests (fault injected). Please try again later.',
  500: 'The server had an error while processing your request (fault injected).',
  503: 'Service temporarily unavailable (fault injected).',
};

export interface FaultInjectorEvents {
  opened: [info: FaultSessionInfo];
  closed: [sessionId: string, code: number];
  fault: [report: FaultReport];
}

export class FaultInjector extends EventEmitter<FaultInjectorEvents> implements ConnectionHook {
  private readonly connections = new Set<FaultConnection>();
  private readonly rules = new FaultRuleBook();
  private refusals: UpgradeRefusal[] = [];
  private refuseEvery: UpgradeRefusal | undefined;
  private pacing: Pacing | undefined;
  private timers: Array<{ afterMs: number; action: 'drop' | 'expire' }> = [];
  private countFaults: EventCountFaults = {};
  /** Every fault that happened, in order. */
  readonly history: FaultReport[] = [];
  private readonly registry: FaultRegistry = {
    check: (connection, direction, text) => this.rules.check(connection, connection.sessionId, direction, text),
    report: (report, rule) => this.report(report, rule),
    opened: (connection) => this.emit('opened', connection.info()),
    closed: (connection, code) => {
      this.connections.delete(connection);
      if (connection.sessionId !== undefined) this.emit('closed', connection.sessionId, code);
    },
    pacing: () => this.pacing,
    timers: () => this.timers,
    eventCountFaults: () => this.countFaults,
  };

  /** Sessions open now. */
  sessions(): FaultSessionInfo[] {
    return [...this.connections].filter((connection) => connection.sessionId !== undefined).map((connection) => connection.info());
  }

  /** Resolves with the id of the next session to open (or the only one open, if `includeOpen`). */
  nextSession(timeoutMs = 5000, includeOpen = false): Promise<string> {
    const open = this.sessions();
    if (includeOpen && open.length > 0) return Promise.resolve(open.at(-1)!.id);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('opened', onOpen);
        reject(new Error(`no session opened within ${timeoutMs} ms`));
      }, timeoutMs);
      const onOpen = (info: FaultSessionInfo): void => {
        clearTimeout(timer);
        resolve(info.id);
      };
      this.once('opened', onOpen);
    });
  }

  /** Drops the session's connection now (no close frame). Returns how many were dropped. */
  drop(sessionId?: string): number {
    return this.apply(sessionId, 'drop');
  }

  dropAll(): number {
    return this.apply(undefined, 'drop');
  }

  /** Ends the session like the service at its maximum duration: error session_expired, then close 1000. */
  expire(sessionId?: string): number {
    return this.apply(sessionId, 'expire');
  }

  /** Refuses the next `count` connection attempts with this HTTP status. */
  refuseNext(count = 1, status = 503, message = REFUSAL_MESSAGES[status] ?? 'Refused (fault injected).'): void {
    for (let i = 0; i < count; i++) this.refusals.push({ status, message });
  }

  /** Refuses every connection attempt from now on with this HTTP status (until reset()). */
  refuseAll(status = 503, message = REFUSAL_MESSAGES[status] ?? 'Refused (fault injected).'): void {
    this.refuseEvery = { status, message };
  }

  /** Every session opened from now on drops (or expires) this long after it opened. */
  failSessionsAfter(afterMs: number, action: 'drop' | 'expire' = 'drop'): void {
    this.timers.push({ afterMs, action });
  }

  /**
   * Sessions opened from now on say nothing more after their `count`th server event (0: not
   * even session.created), as a server that hangs: the connection stays open and answers pings.
   */
  silenceAfterEvents(count: number): void {
    this.countFaults = { ...this.countFaults, silenceAfter: count };
  }

  /** Sessions opened from now on send their `nth` server event cut in half (not JSON), as a broken proxy or server might. */
  malformEvent(nth: number): void {
    this.countFaults = { ...this.countFaults, malformedNth: nth };
  }

  /** Server events of sessions opened from now on arrive `delayMs` (+ up to `jitterMs`) late, in order. */
  pace(pacing: Pacing): void {
    this.pacing = { ...pacing };
  }

  /**
   * A session's nth `response.create` (default 1; `times` sessions, default every one) is
   * answered like the service over a rate limit: response.done `failed`, code
   * rate_limit_exceeded; the session never sees the request.
   */
  rateLimitResponses(options: { nth?: number; sessionId?: string; times?: number } = {}): FaultRule {
    return this.rules.arm('client', 'response.create', { times: Infinity, ...options, action: 'rate-limit' });
  }

  /** Drops (or expires) a session when the server is about to send its nth event of this type. */
  dropOnServerEvent(type: EventMatch, options: FaultRuleOptions = {}): FaultRule {
    return this.rules.arm('server', type, options);
  }

  /** Drops (or expires) a session when the client's nth event of this type arrives. */
  dropOnClientEvent(type: EventMatch, options: FaultRuleOptions = {}): FaultRule {
    return this.rules.arm('client', type, options);
  }

  /** Disarms every rule, timer and delay, and forgets pending refusals. */
  reset(): void {
    this.rules.clear();
    this.refusals = [];
    this.refuseEvery = undefined;
    this.timers = [];
    this.countFaults = {};
    this.pacing = undefined;
  }

  /** ConnectionHook: the next pending refusal, reported as a fault (the server turns the upgrade away with it). */
  refusal(): UpgradeRefusal | undefined {
    const refusal = this.refusals.shift() ?? this.refuseEvery;
    if (refusal) this.report({ sessionId: '', action: 'refuse', trigger: 'upgrade', direction: 'upgrade', status: refusal.status });
    return refusal;
  }

  /** ConnectionHook: puts a FaultConnection between the socket and its session. */
  connect(socket: HookedSocket, open: (transport: Transport) => SocketSession): SocketSession {
    const connection = new FaultConnection(socket, this.registry);
    this.connections.add(connection);
    return connection.open(open);
  }

  private report(report: FaultReport, rule?: FiredRule): void {
    this.history.push(report);
    rule?.resolve(report);
    this.emit('fault', report);
  }

  private apply(sessionId: string | undefined, action: FaultAction): number {
    let count = 0;
    for (const connection of [...this.connections]) {
      const id = connection.sessionId;
      if (id === undefined || (sessionId !== undefined && id !== sessionId)) continue;
      if (connection.fail(action)) {
        count += 1;
        this.report({ sessionId: id, action, trigger: 'manual', direction: 'manual' });
      }
    }
    return count;
  }
}
