/**
 * The fault catalogue: what can go wrong (drop, expire), when (the nth event of a type,
 * before or after it is written), and what is reported. Knows nothing of sockets: a
 * FaultConnection asks `check` on each event and carries out the action it returns.
 */

/**
 * drop: the TCP connection ends; expire: the service's session_expired error, then close
 * 1000; rate-limit (client events only): the event never reaches the session, and the
 * response it asked for fails the way the service fails one over a rate limit.
 */
export type FaultAction = 'drop' | 'expire' | 'rate-limit';

export type FaultDirection = 'server' | 'client';

export type EventMatch = string | ((event: { type: string; [key: string]: unknown }) => boolean);

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
  /** '' for a refused upgrade: no session was opened. */
  sessionId: string;
  /**
   * What happened; 'refuse': an upgrade was turned away (refuseNext, refuseAll); 'silence':
   * the session said nothing more from this event on; 'malform': this event went out cut off.
   */
  action: FaultAction | 'refuse' | 'silence' | 'malform';
  /** What triggered it: the event type, 'manual', 'timer' (a --faults drop-after/expire-after) or 'upgrade'. */
  trigger: string;
  direction: FaultDirection | 'manual' | 'timer' | 'upgrade';
  /** For rules: the matching event's ordinal in its session. */
  nth?: number;
  /** For a refusal: the HTTP status it answered with. */
  status?: number;
}

export interface FaultRule {
  /** Resolves the first time the rule fires. */
  readonly fired: Promise<FaultReport>;
  readonly firedCount: number;
  /** Disarms the rule. */
  cancel(): void;
}

/** A rule that fired on an event: what to do, and where to send the report. */
export interface FiredRule {
  readonly nth: number;
  readonly timing: 'before' | 'after';
  readonly action: FaultAction;
  resolve(report: FaultReport): void;
}

interface ArmedRule extends FiredRule {
  direction: FaultDirection;
  match: EventMatch;
  sessionId: string | undefined;
  timesLeft: number;
  /** Matching events so far, per connection. */
  counts: WeakMap<object, number>;
  fired: number;
}

/** The armed rules, each counting its matching events per connection. */
export class FaultRuleBook {
  private readonly rules = new Set<ArmedRule>();

  arm(direction: FaultDirection, match: EventMatch, options: FaultRuleOptions): FaultRule {
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

  clear(): void {
    this.rules.clear();
  }

  /** The rule that fires on this event of `connection`'s session, if any (every match is counted). */
  check(connection: object, sessionId: string | undefined, direction: FaultDirection, text: () => string): FiredRule | undefined {
    if (this.rules.size === 0) return undefined;
    let parsed: { type: string; [key: string]: unknown } | undefined;
    let type: string | undefined;
    for (const rule of this.rules) {
      if (rule.direction !== direction) continue;
      if (rule.sessionId !== undefined && rule.sessionId !== sessionId) continue;
      let matches: boolean;
      if (typeof rule.match === 'string') {
        type ??= eventType(text());
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
}

/** The event type of a JSON text frame; cheap for the common `{"type":"…"` prefix. */
export function eventType(text: string): string | undefined {
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
