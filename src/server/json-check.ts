/**
 * Small validators for client JSON. Each returns the checked value or throws a
 * ProtocolFailure naming the parameter path, the way the service words its errors.
 * A validator is only called on a field the caller needs, so an absent one (undefined) is
 * missing_required_parameter, as the service says it; a present one of the wrong type is
 * invalid_type.
 */
import { ProtocolFailure, invalidType, invalidValue, missingParameter, outOfRange, unknownParameter } from './protocol-failure.js';

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field left out of the JSON (null is a value: its type is checked). */
function required(value: unknown, param: string): void {
  if (value === undefined) throw missingParameter(param);
}

export function record(value: unknown, param: string): Json {
  required(value, param);
  if (!isRecord(value)) throw invalidType(param, 'an object', value);
  return value;
}

export function string(value: unknown, param: string, maxLength = 1_000_000): string {
  required(value, param);
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  if (value.length > maxLength) {
    throw new ProtocolFailure(
      `Invalid '${param}': string too long. Expected a string with maximum length ${maxLength}, but got a string with length ${value.length} instead.`,
      'string_above_max_length', param,
    ).saying(`longer than ${maxLength} characters`);
  }
  return value;
}

export function optionalString(value: unknown, param: string, maxLength?: number): string | undefined {
  return value === undefined ? undefined : string(value, param, maxLength);
}

export function boolean(value: unknown, param: string): boolean {
  required(value, param);
  if (typeof value !== 'boolean') throw invalidType(param, 'a boolean', value);
  return value;
}

export function number(value: unknown, param: string): number {
  required(value, param);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(param, 'a number', value);
  return value;
}

export function numberIn(value: unknown, param: string, min: number, max: number): number {
  const checked = number(value, param);
  if (checked < min || checked > max) throw outOfRange(param, checked, min, max);
  return checked;
}

export function integerIn(value: unknown, param: string, min: number, max: number): number {
  const number = numberIn(value, param, min, max);
  if (!Number.isInteger(number)) throw invalidType(param, 'an integer', value);
  return number;
}

export function oneOf<T extends string>(value: unknown, param: string, allowed: readonly T[]): T {
  required(value, param);
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  if (!(allowed as readonly string[]).includes(value)) throw invalidValue(param, value, allowed);
  return value as T;
}

export function array(value: unknown, param: string, maxItems = 1024): unknown[] {
  required(value, param);
  if (!Array.isArray(value)) throw invalidType(param, 'an array', value);
  if (value.length > maxItems) {
    throw new ProtocolFailure(
      `Invalid '${param}': array too long. Expected an array with maximum length ${maxItems}, but got an array with length ${value.length} instead.`,
      'array_above_max_length', param,
    ).saying(`over ${maxItems} entries`);
  }
  return value;
}

/** The service refuses fields it does not know instead of silently ignoring a typo. */
export function onlyKnownKeys(value: Json, param: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw unknownParameter(`${param}.${key}`);
  }
}
