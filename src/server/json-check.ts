/**
 * Small validators for client JSON. Each returns the checked value or throws a
 * ProtocolFailure naming the parameter path, the way the service words its errors.
 */
import { ProtocolFailure, invalidType, invalidValue, missingParameter, outOfRange, unknownParameter } from './protocol-failure.js';

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function record(value: unknown, param: string): Json {
  if (!isRecord(value)) throw invalidType(param, 'an object', value);
  return value;
}

export function string(value: unknown, param: string, maxLength = 1_000_000): string {
  if (value === undefined) throw missingParameter(param);
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  if (value.length > maxLength) {
    throw new ProtocolFailure(
      `Invalid '${param}': string too long. Expected a string with maximum length ${maxLength}, but got a string with length ${value.length} instead.`,
      'string_above_max_length', param,
    );
  }
  return value;
}

export function optionalString(value: unknown, param: string, maxLength?: number): string | undefined {
  return value === undefined ? undefined : string(value, param, maxLength);
}

export function boolean(value: unknown, param: string): boolean {
  if (typeof value !== 'boolean') throw invalidType(param, 'a boolean', value);
  return value;
}

export function numberIn(value: unknown, param: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidType(param, 'a number', value);
  if (value < min || value > max) throw outOfRange(param, value, min, max);
  return value;
}

export function integerIn(value: unknown, param: string, min: number, max: number): number {
  const number = numberIn(value, param, min, max);
  if (!Number.isInteger(number)) throw invalidType(param, 'an integer', value);
  return number;
}

export function oneOf<T extends string>(value: unknown, param: string, allowed: readonly T[]): T {
  if (typeof value !== 'string') throw invalidType(param, 'a string', value);
  if (!(allowed as readonly string[]).includes(value)) throw invalidValue(param, value, allowed);
  return value as T;
}

export function array(value: unknown, param: string, maxItems = 1024): unknown[] {
  if (!Array.isArray(value)) throw invalidType(param, 'an array', value);
  if (value.length > maxItems) {
    throw new ProtocolFailure(
      `Invalid '${param}': array too long. Expected an array with maximum length ${maxItems}, but got an array with length ${value.length} instead.`,
      'array_above_max_length', param,
    );
  }
  return value;
}

/** The service refuses fields it does not know instead of silently ignoring a typo. */
export function onlyKnownKeys(value: Json, param: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw unknownParameter(`${param}.${key}`);
  }
}
