import type { ProtocolError } from '../protocol/events.js';

/**
 * A client mistake reported back as an `error` event (the connection stays open).
 * Thrown by validators so a deep check can abort a handler without threading results.
 */
export class ProtocolFailure extends Error {
  /**
   * What was wrong with the parameter, in a few words (`below 0.6`, `not a string`), for
   * the --strict summary; unset, the summary words it from the code.
   */
  problem: string | undefined;

  constructor(
    message: string,
    readonly code: string,
    readonly param: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
    this.name = 'ProtocolFailure';
  }

  /** Sets the few words the --strict summary names this mistake by. */
  saying(problem: string): this {
    this.problem = problem;
    return this;
  }

  toError(clientEventId: string | null): ProtocolError {
    return { type: this.type, code: this.code, message: this.message, param: this.param, event_id: clientEventId };
  }
}

export function missingParameter(param: string): ProtocolFailure {
  return new ProtocolFailure(`Missing required parameter: '${param}'.`, 'missing_required_parameter', param);
}

export function invalidType(param: string, expected: string, value: unknown): ProtocolFailure {
  return new ProtocolFailure(
    `Invalid type for '${param}': expected ${expected}, but got ${describe(value)}.`, 'invalid_type', param,
  ).saying(`not ${expected}`);
}

export function invalidValue(param: string, value: unknown, supported?: readonly string[]): ProtocolFailure {
  const list = supported ? ` Supported values are: ${supported.map((v) => `'${v}'`).join(', ')}.` : '';
  return new ProtocolFailure(`Invalid value: ${preview(value)}.${list}`, 'invalid_value', param).saying('not a supported value');
}

export function unknownParameter(param: string): ProtocolFailure {
  return new ProtocolFailure(`Unknown parameter: '${param}'.`, 'unknown_parameter', param);
}

export function outOfRange(param: string, value: number, min: number, max: number): ProtocolFailure {
  const code = value < min ? 'decimal_below_min_value' : 'decimal_above_max_value';
  return new ProtocolFailure(
    `Invalid '${param}': expected a value from ${min} to ${max}, but got ${value} instead.`, code, param,
  ).saying(value < min ? `below ${min}` : `above ${max}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Quotes a value for a message without echoing megabytes of a hostile string back. */
function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  const short = text.length > 64 ? `${text.slice(0, 64)}…` : text;
  return `'${short}'`;
}
