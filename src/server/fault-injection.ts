/**
 * Fault injection for testing clients against `kaiwa serve`: make the network fail the way
 * it really does, at the moment a test chooses.
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
 *   default), for reconnect back-off tests.
 *
 * Usage (a test):
 *
 *   const faults = new FaultInjector();
 *   const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), faults });
 *   const sessionId = await faults.nextSession();           // the id in session.created
 *   faults.dropOnServerEvent('response.output_audio.delta', { nth: 3 });  // drop before the 3rd delta
 *   const fired = await faults.dropOnServerEvent('response.function_call_arguments.done', { timing: 'after' }).fired;
 *   faults.drop(sessionId);   // or faults.dropAll()
 *   faults.expire(sessionId); // error session_expired, then close 1000
 *   faults.refuseNext(2);     // the next two upgrades get HTTP 503
 *
 * Event types are matched as they appear on the wire, i.e. in the session's dialect
 * (`response.audio.delta` for a beta client). A rule counts matching events per session and
 * fires once (or `times` times); its `fired` promise resolves with what happened.
 */
import { EventEmitter } from 'node:events';
import type { Transport } from '../protocol/transport.js';
import { newId } from './ids.js';

/** What the server lets the injector do with one socket. */
export interface FaultSocket {
  readonly dialect: string;
  /** Sends a text frame; `done` runs once it has been handed to the operating system. */
  send(text: string, done: () => void): void;
  /** Ends the TCP connection without a close frame. */
  terminate(): void;
  close(code: number, reason: string): void;
}

/** The session running on a socket, as far as faults need it. */
export interface FaultTarget {
  readonly id: string;
  dispose(): void;
}

/** The injector's view of one connection; the server calls these (see realtime-server.ts). */
export interface FaultConnection {
  /** Wraps the session's transport so outgoing events pass the armed rules. */
  transport(inner: Transport): Transport;
  /** The session was created on this connection. */
  opened(session: FaultTarget): void;
  /** An incoming frame: false when a rule dropped the connection on it (the session never sees it). */
  incoming(data: Buffer, isBinary: boolean): boolean;
  closed(code: number): void;
}

/** What `startRealtimeServer({ faults })` accepts; FaultInjector is the implementation. */
export interface FaultHook {
  /** An upgrade arrived: a refusal to send back instead of accepting it, or undefined. */
  refusal(): { status: number; message: string } | undefined;
  connect(socket: FaultSocket): FaultConnection;
}

export type FaultAction = 'drop' | 'expire';

export interface FaultRuleOptions {
  /** Fire on the nth matching event of a session (default 1). */
  nth?: number;
  /**
   * 'before' (default): the matching event never reaches the other side; 'after': it does
   * (for server events, the connection drops once the event has been written out).
   */
  timing?: 'before' | 'after';
  action?: FaultAction;
  /** Only this session (default: any). */
  sessionId?: string;
  /** How many sessions the rule fires on (default 1; Infinity: every session that gets there). */
  times?: number;
}

export interface FaultReport {
  sessionId: string;
  action: FaultAction;
  /** What triggered it: the event type, or 'manual'. */
  trigger: string;
  direction: 'server' | 'client' | 'manual';
  /** For rules: the matching event's ordinal in its session. */
  nth?: number;
}

export interface FaultRule {
  /** Resolves the first time the rule fires. */
  readonly fired: Promise<FaultReport>;
  readonly firedCount: number;
  /** Disarms the rule. */
  cancel(): void;
}

export interface FaultSessionInfo {
  id: string;
  dialect: string;
  openedAt: number;
  serverEvents: number;
  clientEvents: number;
}

type EventMatch = string | ((event: { type: string; [key: string]: unknown }) => boolean);

interface ArmedRule {
  direction: 'server' | 'client';
  match: EventMatch;
  nth: number;
  timing: 'before' | 'after';
  action: FaultAction;
  sessionId: string | undefined;
  timesLeft: number;
  counts: WeakMap<Connection, number>;
  fired: number;
  resolve: (report: FaultReport) => void;
}

export interface FaultInjectorEvents {
  opened: [info: FaultSessionInfo];
  closed: [sessionId: string, code: number];
  fault: [report: FaultReport];
}

const EXPIRED_MESSAGE = 'Your session hit the maximum duration of 60 minutes.';

export class FaultInjector extends EventEmitter<FaultInjectorEvents> implements FaultHook {
  private readonly connections = new Set<Connection>();
  private readonly rules = new Set<ArmedRule>();
  private refusals: Array<{ status: number; message: string }> = [];
  /** Every fault that happened, in order. */
  readonly history: FaultReport[] = [];

  /** Sessions open now. */
  sessions(): FaultSessionInfo[] {
    return [...this.connections].filter((connection) => connection.target).map((connection) => connection.info());
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
  refuseNext(count = 1, status = 503, message = 'Service temporarily unavailable (fault injected).'): void {
    for (let i = 0; i < count; i++) this.refusals.push({ status, message });
  }

  /** Drops (or expires) a session when the server is about to send its nth event of this type. */
  dropOnServerEvent(type: EventMatch, options: FaultRuleOptions = {}): FaultRule {
    return this.arm('server', type, options);
  }

  /** Drops (or expires) a session when the client's nth event of this type arrives. */
  dropOnClientEvent(type: EventMatch, options: FaultRuleOptions = {}): FaultRule {
    return this.arm('client', type, options);
  }

  /** Disarms every rule and forgets pending refusals. */
  reset(): void {
    this.rules.clear();
    this.refusals = [];
  }

  refusal(): { status: number; message: string } | undefined {
    return this.refusals.shift();
  }

  connect(socket: FaultSocket): FaultConnection {
    const connection = new Connection(socket, this);
    this.connections.add(connection);
    return connection;
  }

  /** @internal */
  onOpened(connection: Connection): void {
    this.emit('opened', connection.info());
  }

  /** @internal */
  onClosed(connection: Connection, code: number): void {
    this.connections.delete(connection);
    if (connection.target) this.emit('closed', connection.target.id, code);
  }

  /** @internal Returns the rule that fires on this event, if any (and counts it). */
  check(connection: Connection, direction: 'server' | 'client', text: () => string): ArmedRule | undefined {
    if (this.rules.size === 0) return undefined;
    let parsed: { type: string; [key: string]: unknown } | undefined;
    let type: string | undefined;
    for (const rule of this.rules) {
      if (rule.direction !== direction) continue;
      if (rule.sessionId !== undefined && rule.sessionId !== connection.target?.id) continue;
      let matches: boolean;
      if (typeof rule.match === 'string') {
        type ??= typeOf(text());
        matches = type === rule.match;
      } else {
        parsed ??= parse(text());
        matches = parsed !== undefined && rule.match(parsed);
      }
      if (!matches) continue;
      const count = (rule.counts.get(connection) ?? 0) + 1;
      rule.counts.set(connection, count);
      if (count !== rule.nth) continue;
      rule.timesLeft -= 1;
      rule.fired += 1;
      if (rule.timesLeft <= 0) this.rules.delete(rule);
      return rule;
    }
    return undefined;
  }

  /** @internal */
  report(report: FaultReport, rule?: ArmedRule): void {
    this.history.push(report);
    rule?.resolve(report);
    this.emit('fault', report);
  }

  private apply(sessionId: string | undefined, action: FaultAction): number {
    let count = 0;
    for (const connection of [...this.connections]) {
      if (!connection.target || (sessionId !== undefined && connection.target.id !== sessionId)) continue;
      if (connection.fail(action)) {
        count += 1;
        this.report({ sessionId: connection.target.id, action, trigger: 'manual', direction: 'manual' });
      }
    }
    return count;
  }

  private arm(direction: 'server' | 'client', match: EventMatch, options: FaultRuleOptions): FaultRule {
    let resolve!: (report: FaultReport) => void;
    const fired = new Promise<FaultReport>((r) => { resolve = r; });
    const rule: ArmedRule = {
      direction, match, resolve,
      nth: Math.max(1, Math.floor(options.nth ?? 1)),
      timing: options.timing ?? 'before',
      action: options.action ?? 'drop',
      sessionId: options.sessionId,
      timesLeft: options.times ?? 1,
      counts: new WeakMap(),
      fired: 0,
    };
    this.rules.add(rule);
    return {
      fired,
      get firedCount() { return rule.fired; },
      cancel: () => { this.rules.delete(rule); },
    };
  }
}

class Connection implements FaultConnection {
  target: FaultTarget | undefined;
  private failed = false;
  private readonly openedAt = Date.now();
  private serverEvents = 0;
  private clientEvents = 0;
  private inner: Transport | undefined;

  constructor(private readonly socket: FaultSocket, private readonly injector: FaultInjector) {}

  info(): FaultSessionInfo {
    return { id: this.target?.id ?? '', dialect: this.socket.dialect, openedAt: this.openedAt, serverEvents: this.serverEvents, clientEvents: this.clientEvents };
  }

  transport(inner: Transport): Transport {
    this.inner = inner;
    const connection = this;
    return {
      send: (text) => connection.outgoing(text),
      get bufferedAmount() { return inner.bufferedAmount; },
      get isOpen() { return !connection.failed && inner.isOpen; },
      close: (code, reason) => inner.close(code, reason),
    };
  }

  opened(session: FaultTarget): void {
    this.target = session;
    this.injector.onOpened(this);
  }

  incoming(data: Buffer, isBinary: boolean): boolean {
    if (this.failed) return false;
    this.clientEvents += 1;
    if (isBinary) return true;
    const rule = this.injector.check(this, 'client', () => data.toString('utf8'));
    if (!rule) return true;
    const type = typeOf(data.toString('utf8')) ?? 'unknown';
    if (rule.timing === 'after') {
      // The session handles the event first, then the connection fails.
      queueMicrotask(() => this.fire(rule, type, 'client'));
      return true;
    }
    this.fire(rule, type, 'client');
    return false;
  }

  closed(code: number): void {
    this.failed = true;
    this.injector.onClosed(this, code);
  }

  /** Fails the connection now; false when it had already failed. */
  fail(action: FaultAction): boolean {
    if (this.failed) return false;
    this.failed = true;
    this.target?.dispose();
    if (action === 'drop') {
      this.socket.terminate();
      return true;
    }
    this.socket.send(JSON.stringify({
      type: 'error',
      event_id: newId('event'),
      error: { type: 'invalid_request_error', code: 'session_expired', message: EXPIRED_MESSAGE, param: null, event_id: null },
    }), () => undefined);
    this.socket.close(1000, 'session expired');
    return true;
  }

  private outgoing(text: string): void {
    if (this.failed || !this.inner?.isOpen) return;
    this.serverEvents += 1;
    const rule = this.injector.check(this, 'server', () => text);
    if (!rule) {
      this.inner.send(text);
      return;
    }
    const type = typeOf(text) ?? 'unknown';
    if (rule.timing === 'after' && rule.action === 'drop') {
      // Written out first, then the connection goes: the client has the event and nothing after it.
      this.failed = true;
      this.target?.dispose();
      this.socket.send(text, () => this.socket.terminate());
      this.report(rule, type, 'server');
      return;
    }
    // An 'after' expiry sends the event, then the error and the close frame (frames stay in order).
    if (rule.timing === 'after') this.inner.send(text);
    this.fire(rule, type, 'server');
  }

  private fire(rule: ArmedRule, type: string, direction: 'server' | 'client'): void {
    if (this.fail(rule.action)) this.report(rule, type, direction);
  }

  private report(rule: ArmedRule, type: string, direction: 'server' | 'client'): void {
    this.injector.report({ sessionId: this.target?.id ?? '', action: rule.action, trigger: type, direction, nth: rule.nth }, rule);
  }
}

/** The event type of a JSON text frame; cheap for the common `{"type":"…"` prefix. */
function typeOf(text: string): string | undefined {
  const match = /^\{"type":"([^"\\]{1,200})"/.exec(text);
  if (match) return match[1];
  return parse(text)?.type;
}

function parse(text: string): { type: string; [key: string]: unknown } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string'
      ? value as { type: string }
      : undefined;
  } catch {
    return undefined;
  }
}
