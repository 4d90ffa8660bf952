import { InvalidArgumentError } from 'commander';

/** Argument parsers for commander: each rejects a bad value with a message naming what is allowed. */
export function oneOf<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}`);
  };
}

export function numberIn(min: number, max: number, integer = false): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    const ok = value.trim() !== '' && Number.isFinite(parsed) && parsed >= min && parsed <= max
      && (!integer || Number.isInteger(parsed));
    if (!ok) throw new InvalidArgumentError(`expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
    return parsed;
  };
}

export function tokenLimit(value: string): number | 'inf' {
  if (value === 'inf') return 'inf';
  return numberIn(1, 4096, true)(value);
}

export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('must not be empty');
  return value;
}
