/**
 * `kaiwa serve --faults SPEC`: the fault injector armed from one line, comma-separated:
 *
 *   drop-after-events=N   every session's connection drops once the server has sent N events
 *   drop-after=2s         … 2 s after the session opened (no close frame: code 1006)
 *   drop-mid-response     … right after the first delta of each connection's first response (text, audio or tool arguments)
 *   expire-after=30s      every session expires like the service's at 60 minutes: error session_expired, close 1000
 *   refuse=429            every upgrade is refused with this status (401, 403, 404, 429, 500, 503);
 *   refuse=503*2          … only the next two, then connections are accepted
 *   delay=50ms            server events arrive this late (order kept)
 *   jitter=20ms           … plus up to this much at random
 *   rate-limit-error      each session's first response.create fails with rate_limit_exceeded;
 *   rate-limit-error=2    … its 2nd one
 *   silence-after-events=N  every session says nothing after its Nth server event (0: never begins); the connection stays open
 *   malformed-event=N     every session's Nth server event goes out cut off (not JSON)
 *
 * Durations: 250ms, 2s, 1.5s, 1m (a bare number is milliseconds).
 */
import { UsageError } from '../errors.js';
import type { FaultInjector } from './fault-injector.js';

export interface FaultSpec {
  dropAfterEvents?: number;
  dropAfterMs?: number;
  dropMidResponse?: boolean;
  expireAfterMs?: number;
  refuse?: { status: number; count: number | 'all' };
  delayMs?: number;
  jitterMs?: number;
  rateLimitNth?: number;
  silenceAfterEvents?: number;
  malformedEvent?: number;
}

export const REFUSABLE_STATUSES = [401, 403, 404, 429, 500, 503] as const;

const NAMES = ['drop-after-events', 'drop-after', 'drop-mid-response', 'expire-after', 'refuse', 'delay', 'jitter', 'rate-limit-error', 'silence-after-events', 'malformed-event'];

/** Parses a SPEC; a bad one is a UsageError naming the part at fault and what is allowed. */
export function parseFaultSpec(text: string): FaultSpec {
  const spec: FaultSpec = {};
  const parts = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (parts.length === 0) throw new UsageError(`--faults needs at least one fault (${NAMES.join(', ')})`);
  const seen = new Set<string>();
  for (const part of parts) {
    // At the first '=' only: "delay=50ms=3" is a bad value, not 50 ms.
    const equals = part.indexOf('=');
    const name = (equals < 0 ? part : part.slice(0, equals)).trim();
    const value = equals < 0 ? undefined : part.slice(equals + 1).trim();
    if (seen.has(name)) throw new UsageError(`--faults: '${name}' is given twice (the one meant would be a guess)`);
    seen.add(name);
    applyPart(spec, name, value, part);
  }
  return spec;
}

function applyPart(spec: FaultSpec, name: string, value: string | undefined, part: string): void {
  const need = (): string => {
    if (value === undefined || value === '') throw new UsageError(`--faults: ${name} needs a value (e.g. ${example(name)})`);
    return value;
  };
  switch (name) {
    case 'drop-after-events': spec.dropAfterEvents = count(need(), part); return;
    case 'drop-after': spec.dropAfterMs = duration(need(), part); return;
    case 'drop-mid-response': noValue(value, part); spec.dropMidResponse = true; return;
    case 'expire-after': spec.expireAfterMs = duration(need(), part); return;
    case 'refuse': spec.refuse = refusal(need(), part); return;
    case 'delay': spec.delayMs = duration(need(), part); return;
    case 'jitter': spec.jitterMs = duration(need(), part); return;
    case 'rate-limit-error': spec.rateLimitNth = value === undefined ? 1 : count(value, part); return;
    case 'silence-after-events': spec.silenceAfterEvents = count(need(), part, 0); return;
    case 'malformed-event': spec.malformedEvent = count(need(), part); return;
    default: throw new UsageError(`--faults: unknown fault '${name}' (known: ${NAMES.join(', ')})`);
  }
}

function example(name: string): string {
  return {
    'drop-after-events': 'drop-after-events=20', refuse: 'refuse=429', 'drop-after': 'drop-after=2s', 'expire-after': 'expire-after=30s',
    'silence-after-events': 'silence-after-events=2', 'malformed-event': 'malformed-event=5',
  }[name] ?? `${name}=50ms`;
}

function noValue(value: string | undefined, part: string): void {
  if (value !== undefined) throw new UsageError(`--faults: '${part}' takes no value`);
}

function count(value: string, part: string, from = 1): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < from) throw new UsageError(`--faults: '${part}': expected a whole number from ${from}`);
  return parsed;
}

/** 250ms, 2s, 1.5s, 1m, or a bare number of milliseconds. */
export function duration(value: string, part: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value);
  if (!match) throw new UsageError(`--faults: '${part}': expected a duration such as 250ms, 2s or 1m`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 'ms';
  return Math.round(amount * (unit === 'ms' ? 1 : unit === 's' ? 1000 : 60_000));
}

function refusal(value: string, part: string): NonNullable<FaultSpec['refuse']> {
  const match = /^(\d{3})(?:\*(\d+))?$/.exec(value);
  const status = Number(match?.[1]);
  if (!match || !(REFUSABLE_STATUSES as readonly number[]).includes(status)) {
    throw new UsageError(`--faults: '${part}': expected a status among ${REFUSABLE_STATUSES.join(', ')}, optionally *COUNT (refuse=503*2)`);
  }
  return { status, count: match[2] === undefined ? 'all' : count(match[2], part) };
}

/** Arms `injector` with every fault of `spec` (for every session, unless the fault says otherwise). */
export function armFaults(injector: FaultInjector, spec: FaultSpec): void {
  if (spec.dropAfterEvents !== undefined) {
    injector.dropOnServerEvent(() => true, { nth: spec.dropAfterEvents, timing: 'after', times: Infinity });
  }
  if (spec.dropMidResponse) injector.dropOnServerEvent(isResponseDelta, { timing: 'after', times: Infinity });
  if (spec.dropAfterMs !== undefined) injector.failSessionsAfter(spec.dropAfterMs, 'drop');
  if (spec.expireAfterMs !== undefined) injector.failSessionsAfter(spec.expireAfterMs, 'expire');
  if (spec.refuse) {
    if (spec.refuse.count === 'all') injector.refuseAll(spec.refuse.status);
    else injector.refuseNext(spec.refuse.count, spec.refuse.status);
  }
  if (spec.delayMs !== undefined || spec.jitterMs !== undefined) injector.pace({ delayMs: spec.delayMs ?? 0, jitterMs: spec.jitterMs ?? 0 });
  if (spec.rateLimitNth !== undefined) injector.rateLimitResponses({ nth: spec.rateLimitNth });
  if (spec.silenceAfterEvents !== undefined) injector.silenceAfterEvents(spec.silenceAfterEvents);
  if (spec.malformedEvent !== undefined) injector.malformEvent(spec.malformedEvent);
}

/** A response's streamed content, in either dialect (`response.audio.delta` is the beta's name). */
function isResponseDelta(event: { type: string }): boolean {
  return event.type.startsWith('response.') && event.type.endsWith('.delta');
}

/** The spec as the start-up line shows it. */
export function describeFaults(spec: FaultSpec): string {
  const parts: string[] = [];
  if (spec.dropAfterEvents !== undefined) parts.push(`drop after ${spec.dropAfterEvents} events`);
  if (spec.dropAfterMs !== undefined) parts.push(`drop after ${spec.dropAfterMs} ms`);
  if (spec.dropMidResponse) parts.push('drop mid-response');
  if (spec.expireAfterMs !== undefined) parts.push(`expire after ${spec.expireAfterMs} ms`);
  if (spec.refuse) parts.push(`refuse ${spec.refuse.count === 'all' ? 'every connection' : `the next ${spec.refuse.count}`} with ${spec.refuse.status}`);
  if (spec.delayMs !== undefined) parts.push(`delay ${spec.delayMs} ms`);
  if (spec.jitterMs !== undefined) parts.push(`jitter ${spec.jitterMs} ms`);
  if (spec.rateLimitNth !== undefined) parts.push(`rate-limit response #${spec.rateLimitNth}`);
  if (spec.silenceAfterEvents !== undefined) parts.push(`silent after ${spec.silenceAfterEvents} events`);
  if (spec.malformedEvent !== undefined) parts.push(`event #${spec.malformedEvent} cut off`);
  return `faults: ${parts.join(', ')}`;
}
