/**
 * One connection under a FaultInjector: it wraps the session's transport and the session,
 * so every event either way passes the armed rules, and it carries out drop and expire on
 * the socket below.
 */
import type { Transport } from '../protocol/transport.js';
import type { HookedSocket } from '../server/connection-hook.js';
import type { SocketSession } from '../server/realtime-server.js';
import { newId } from '../server/ids.js';
import { dialectFor } from '../protocol/dialects.js';
import type { Dialect, DialectName } from '../protocol/dialect.js';
import { eventType, type FaultAction, type FaultDirection, type FaultReport, type FiredRule } from './fault-rules.js';
import { DEFAULT_OUTPUT_MODALITIES, announcedModalities, rateLimitedResponse } from './rate-limited-response.js';
import { EventPacer, type Pacing } from './event-pacer.js';

export interface FaultSessionInfo {
  id: string;
  dialect: string;
  openedAt: number;
  serverEvents: number;
  clientEvents: number;
}

/** What a connection asks of, and tells, the injector it belongs to. */
export interface FaultRegistry {
  check(connection: FaultConnection, direction: FaultDirection, text: () => string): FiredRule | undefined;
  report(report: FaultReport, rule?: FiredRule): void;
  opened(connection: FaultConnection): void;
  closed(connection: FaultConnection, code: number): void;
  /** How server events are held back (none: sent at once). */
  pacing(): Pacing | undefined;
  /** Faults every session gets after a time: [ms after opening, action]. */
  timers(): ReadonlyArray<{ afterMs: number; action: 'drop' | 'expire' }>;
  /** Faults every session gets at its server events, by their count. */
  eventCountFaults(): EventCountFaults;
}

export interface EventCountFaults {
  /** After this many server events the session says nothing more (0: not even session.created); the connection stays open. */
  silenceAfter?: number;
  /** The session's nth server event goes out cut in half: not JSON. */
  malformedNth?: number;
}

const EXPIRED_MESSAGE = 'Your session hit the maximum duration of 60 minutes.';

export class FaultConnection {
  private target: SocketSession | undefined;
  private failed = false;
  private readonly openedAt = Date.now();
  private serverEvents = 0;
  private clientEvents = 0;
  private readonly pacer: EventPacer | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly conversationId = newId('conv');
  /** What the session last announced it answers in, so a rate-limited response says the same. */
  private sessionModalities = DEFAULT_OUTPUT_MODALITIES;

  private readonly countFaults: EventCountFaults;

  constructor(private readonly socket: HookedSocket, private readonly registry: FaultRegistry) {
    this.countFaults = registry.eventCountFaults();
    const pacing = registry.pacing();
    if (pacing) this.pacer = new EventPacer(pacing, (text, done) => socket.send(text, done));
  }

  /** The session's id once it is open. */
  get sessionId(): string | undefined {
    return this.target?.id;
  }

  info(): FaultSessionInfo {
    return { id: this.target?.id ?? '', dialect: this.socket.dialect, openedAt: this.openedAt, serverEvents: this.serverEvents, clientEvents: this.clientEvents };
  }

  /** Opens the session over a transport that passes the rules; returns the session the server drives. */
  open(open: (transport: Transport) => SocketSession): SocketSession {
    const session = open(this.transport());
    this.target = session;
    this.socket.onClose((code) => this.closed(code));
    this.registry.opened(this);
    for (const { afterMs, action } of this.registry.timers()) {
      this.timers.push(setTimeout(() => this.onTimer(action), afterMs));
    }
    return {
      get id() { return session.id; },
      start: () => session.start(),
      receive: (data, isBinary) => {
        if (this.incoming(data, isBinary)) session.receive(data, isBinary);
      },
      refusedMessage: (kind) => session.refusedMessage?.(kind),
      dispose: () => session.dispose(),
    };
  }

  /** Fails the connection now; false when it had already failed (a rate limit fails no connection). */
  fail(action: FaultAction): boolean {
    if (this.failed || action === 'rate-limit') return false;
    this.failed = true;
    this.target?.dispose();
    this.clearTimers();
    if (action === 'drop') {
      this.pacer?.clear();
      this.socket.terminate();
      return true;
    }
    const expired = JSON.stringify({
      type: 'error',
      event_id: newId('event'),
      error: { type: 'invalid_request_error', code: 'session_expired', message: EXPIRED_MESSAGE, param: null, event_id: null },
    });
    // Events already on their way (delayed) still arrive before the error.
    if (this.pacer) {
      this.pacer.send(expired, () => this.socket.close(1000, 'session expired'));
      return true;
    }
    this.socket.send(expired, () => undefined);
    this.socket.close(1000, 'session expired');
    return true;
  }

  private onTimer(action: 'drop' | 'expire'): void {
    const sessionId = this.target?.id ?? '';
    if (this.fail(action)) this.registry.report({ sessionId, action, trigger: 'timer', direction: 'timer' });
  }

  private clearTimers(): void {
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
  }

  private transport(): Transport {
    const inner = this.socket.transport;
    const connection = this;
    return {
      send: (text) => connection.outgoing(text),
      get bufferedAmount() { return inner.bufferedAmount; },
      get isOpen() { return !connection.failed && inner.isOpen; },
      close: (code, reason) => inner.close(code, reason),
    };
  }

  /** An incoming frame: false when a rule dropped the connection on it (the session never sees it). */
  private incoming(data: Buffer, isBinary: boolean): boolean {
    if (this.failed) return false;
    this.clientEvents += 1;
    if (isBinary) return true;
    const rule = this.registry.check(this, 'client', () => data.toString('utf8'));
    if (!rule) return true;
    const type = eventType(data.toString('utf8')) ?? 'unknown';
    if (rule.action === 'rate-limit') {
      const frames = rateLimitedResponse(data.toString('utf8'), this.dialect(), this.conversationId, this.sessionModalities);
      for (const frame of frames) this.deliver(frame);
      this.report(rule, type, 'client');
      return false;
    }
    if (rule.timing === 'after') {
      // The session handles the event first, then the connection fails.
      queueMicrotask(() => this.fire(rule, type, 'client'));
      return true;
    }
    this.fire(rule, type, 'client');
    return false;
  }

  private closed(code: number): void {
    this.failed = true;
    this.clearTimers();
    this.pacer?.clear();
    this.registry.closed(this, code);
  }

  private outgoing(text: string): void {
    const inner = this.socket.transport;
    if (this.failed || !inner.isOpen) return;
    this.serverEvents += 1;
    if (this.byCount(text)) return;
    this.sessionModalities = announcedModalities(text, this.dialect()) ?? this.sessionModalities;
    const rule = this.registry.check(this, 'server', () => text);
    if (!rule) {
      this.deliver(text);
      return;
    }
    const type = eventType(text) ?? 'unknown';
    if (rule.timing === 'after' && rule.action === 'drop') {
      // Written out first, then the connection goes: the client has the event and nothing after it.
      this.failed = true;
      this.target?.dispose();
      this.clearTimers();
      this.deliver(text, () => this.socket.terminate());
      this.report(rule, type, 'server');
      return;
    }
    // An 'after' expiry sends the event, then the error and the close frame (frames stay in order).
    if (rule.timing === 'after') this.deliver(text);
    this.fire(rule, type, 'server');
  }

  /** A fault by the server event's count: withheld (silence) or sent cut off (malform). True when the event was handled. */
  private byCount(text: string): boolean {
    const { silenceAfter, malformedNth } = this.countFaults;
    const nth = this.serverEvents;
    if (silenceAfter !== undefined && nth > silenceAfter) {
      if (nth === silenceAfter + 1) this.reportByCount('silence', text);
      return true;
    }
    if (nth !== malformedNth) return false;
    this.deliver(text.slice(0, Math.ceil(text.length / 2)));
    this.reportByCount('malform', text);
    return true;
  }

  private reportByCount(action: 'silence' | 'malform', text: string): void {
    this.registry.report({ sessionId: this.target?.id ?? '', action, trigger: eventType(text) ?? 'unknown', direction: 'server', nth: this.serverEvents });
  }

  private dialect(): Dialect {
    return dialectFor(this.socket.dialect as DialectName);
  }

  /** Sends a frame now, or after the configured delay (frames never overtake each other). */
  private deliver(text: string, done?: () => void): void {
    if (this.pacer) this.pacer.send(text, done);
    else if (done) this.socket.send(text, done);
    else this.socket.transport.send(text);
  }

  private fire(rule: FiredRule, type: string, direction: FaultDirection): void {
    if (this.fail(rule.action)) this.report(rule, type, direction);
  }

  private report(rule: FiredRule, type: string, direction: FaultDirection): void {
    this.registry.report({ sessionId: this.target?.id ?? '', action: rule.action, trigger: type, direction, nth: rule.nth }, rule);
  }
}
