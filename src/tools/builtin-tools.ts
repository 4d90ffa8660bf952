/**
 * `--builtin-tools time,timer,calculator`: opt-in tools that need no network.
 *   time        the current date and time, in the local or a named IANA time zone
 *   timer       sets a timer; it answers at once with when it will fire, and the CLI is
 *               told when it does (onTimerFired / the 'fired' event) to announce it
 *   calculator  arithmetic on an expression, by a small parser (never eval)
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { evaluateExpression, tidyNumber } from './calculator.js';
import type { BuiltinTool } from './tool.js';

export const BUILTIN_TOOL_NAMES = ['time', 'timer', 'calculator'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

export interface TimerInfo {
  id: string;
  label: string;
  seconds: number;
  setAt: Date;
  firesAt: Date;
}

export interface BuiltinToolOptions {
  /** Called when a timer goes off (also emitted as 'fired' on `timers`). */
  onTimerFired?: (timer: TimerInfo) => void;
  /** The clock (tests). */
  now?: () => Date;
  /** Longest timer accepted, in seconds (default 24 h). */
  maxTimerSeconds?: number;
}

export interface BuiltinTools {
  tools: BuiltinTool[];
  /** Emits 'fired' with a TimerInfo when a timer goes off. */
  timers: EventEmitter<{ fired: [timer: TimerInfo] }>;
  /** Timers set and not yet fired, soonest first. */
  pendingTimers(): TimerInfo[];
  /** Cancels pending timers (call on exit). */
  close(): void;
}

/** `names` as given to --builtin-tools: "time,timer" or a list. Unknown names are a UsageError. */
export function createBuiltinTools(names: string | readonly string[], options: BuiltinToolOptions = {}): BuiltinTools {
  const wanted = parseBuiltinNames(names);
  const now = options.now ?? (() => new Date());
  const timers = new EventEmitter<{ fired: [timer: TimerInfo] }>();
  const pending = new Map<string, { info: TimerInfo; handle: NodeJS.Timeout }>();
  const maxSeconds = options.maxTimerSeconds ?? 24 * 3600;
  const fire = (info: TimerInfo): void => {
    pending.delete(info.id);
    try {
      options.onTimerFired?.(info);
    } finally {
      timers.emit('fired', info);
    }
  };
  const makers: Record<BuiltinToolName, () => BuiltinTool> = {
    time: () => timeTool(now),
    timer: () => timerTool(now, maxSeconds, (info) => {
      const handle = setTimeout(() => fire(info), info.seconds * 1000);
      handle.unref();
      pending.set(info.id, { info, handle });
    }),
    calculator: calculatorTool,
  };
  return {
    tools: wanted.map((name) => makers[name]()),
    timers,
    pendingTimers: () => [...pending.values()].map((entry) => entry.info).sort((a, b) => a.firesAt.getTime() - b.firesAt.getTime()),
    close: () => {
      for (const entry of pending.values()) clearTimeout(entry.handle);
      pending.clear();
    },
  };
}

export function parseBuiltinNames(names: string | readonly string[]): BuiltinToolName[] {
  const list = (typeof names === 'string' ? names.split(',') : [...names]).map((name) => name.trim()).filter((name) => name !== '');
  const expanded = list.includes('all') ? [...BUILTIN_TOOL_NAMES] : list;
  const unknown = expanded.filter((name) => !(BUILTIN_TOOL_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`--builtin-tools: unknown tool ${unknown.map((name) => JSON.stringify(name)).join(', ')} (available: ${BUILTIN_TOOL_NAMES.join(', ')}, or all)`);
  }
  if (expanded.length === 0) throw new UsageError(`--builtin-tools needs a list such as ${BUILTIN_TOOL_NAMES.join(',')}`);
  return [...new Set(expanded)] as BuiltinToolName[];
}

function timeTool(now: () => Date): BuiltinTool {
  return {
    source: 'builtin',
    name: 'time',
    description: 'Get the current date and time. Without a timezone it answers for the user\'s own time zone.',
    parameters: {
      type: 'object',
      properties: { timezone: { type: 'string', description: 'IANA time zone such as Europe/Paris or Asia/Tokyo' } },
    },
    handler: (args) => {
      const zone = args.timezone;
      if (zone !== undefined && zone !== null && typeof zone !== 'string') throw new Error('timezone must be a string');
      return describeTime(now(), typeof zone === 'string' && zone.trim() !== '' ? zone.trim() : undefined);
    },
  };
}

export function describeTime(date: Date, timeZone?: string): Record<string, string> {
  let zone: string;
  try {
    zone = new Intl.DateTimeFormat('en-US', timeZone ? { timeZone } : {}).resolvedOptions().timeZone;
  } catch {
    throw new Error(`unknown time zone ${JSON.stringify(timeZone)} (use an IANA name such as Europe/Paris)`);
  }
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'long', timeZoneName: 'longOffset',
  }).formatToParts(date).map((part) => [part.type, part.value]));
  const offset = parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
  const local = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
  return {
    timezone: zone,
    iso: `${local}${offset === '+00:00' ? 'Z' : offset}`,
    date: new Intl.DateTimeFormat('en-US', { timeZone: zone, dateStyle: 'full' }).format(date),
    time: `${parts.hour}:${parts.minute}:${parts.second}`,
    weekday: String(parts.weekday),
    utc_offset: offset,
  };
}

function timerTool(now: () => Date, maxSeconds: number, schedule: (info: TimerInfo) => void): BuiltinTool {
  return {
    source: 'builtin',
    name: 'timer',
    description: 'Set a timer. The user is told when it goes off. Give the duration in hours, minutes and/or seconds.',
    parameters: {
      type: 'object',
      properties: {
        hours: { type: 'number', minimum: 0 },
        minutes: { type: 'number', minimum: 0 },
        seconds: { type: 'number', minimum: 0 },
        label: { type: 'string', description: 'What the timer is for, e.g. "tea"' },
      },
    },
    handler: (args) => {
      const part = (key: string): number => {
        const value = args[key];
        if (value === undefined || value === null) return 0;
        const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
        if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) throw new Error(`${key} must be a number ≥ 0`);
        return number;
      };
      const seconds = Math.round((part('hours') * 3600 + part('minutes') * 60 + part('seconds')) * 1000) / 1000;
      if (seconds <= 0) throw new Error('give a duration (hours, minutes or seconds) greater than zero');
      if (seconds > maxSeconds) throw new Error(`timers are limited to ${maxSeconds / 3600} hours`);
      const label = typeof args.label === 'string' && args.label.trim() !== '' ? args.label.trim().slice(0, 100) : 'timer';
      const setAt = now();
      const info: TimerInfo = { id: `timer_${randomBytes(4).toString('hex')}`, label, seconds, setAt, firesAt: new Date(setAt.getTime() + seconds * 1000) };
      schedule(info);
      return {
        timer_id: info.id,
        label,
        fires_in_seconds: seconds,
        fires_at: describeTime(info.firesAt).iso,
        note: 'The timer is running; the user will be told when it goes off.',
      };
    },
  };
}

function calculatorTool(): BuiltinTool {
  return {
    source: 'builtin',
    name: 'calculator',
    description: 'Evaluate an arithmetic expression exactly: + - * / % ^, parentheses, sqrt, abs, round(x, digits), floor, ceil, '
      + 'sin, cos, tan, ln, log (base 10, or log(x, base)), exp, min, max, factorial n!, constants pi and e.',
    parameters: {
      type: 'object',
      properties: { expression: { type: 'string', description: 'e.g. (12.5 * 3) / 4 + sqrt(16)' } },
      required: ['expression'],
    },
    handler: (args) => {
      if (typeof args.expression !== 'string') throw new Error('expression must be a string');
      return { expression: args.expression, result: tidyNumber(evaluateExpression(args.expression)) };
    },
  };
}
