import { InvalidArgumentError } from 'commander';
import type { SessionConfig } from '../protocol/events.js';
import { BUILT_IN_VOICES, isBuiltInVoice, isCustomVoiceId } from '../protocol/voices.js';

/**
 * Parsers for the session settings' flags, checked against the SDK's types so a typo
 * costs one line at the terminal instead of an error event from the service.
 */
export type Truncation = NonNullable<SessionConfig['truncation']>;

/** `auto`, `disabled`, or a retention ratio from 0 to 1 (`{type: 'retention_ratio'}`). */
export function truncation(value: string): Truncation {
  if (value === 'auto' || value === 'disabled') return value;
  const ratio = Number(value);
  if (value.trim() === '' || !Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new InvalidArgumentError('expected auto, disabled, or a retention ratio from 0 to 1');
  }
  return { type: 'retention_ratio', retention_ratio: ratio };
}

/** A built-in voice name, or a custom voice's id (voice_…). */
export function voiceName(value: string): string {
  if (isBuiltInVoice(value) || isCustomVoiceId(value)) return value;
  throw new InvalidArgumentError(`unknown voice "${value}": use ${BUILT_IN_VOICES.join(', ')}, or a custom voice id (voice_…)`);
}

/** ISO-639-1 codes (a region suffix is tolerated), one or several separated by commas. */
export function languageList(value: string): string {
  const codes = value.split(',').map((code) => code.trim());
  const bad = codes.find((code) => !/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(code));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not a language code: use ISO-639-1 codes such as ja or en, comma-separated for several`);
  return codes.join(',');
}

/** `--prompt-var NAME=VALUE`, repeatable. */
export function promptVariable(value: string, previous: string[] | undefined): string[] {
  if (!/^[^=\s]+=/.test(value)) throw new InvalidArgumentError('expected NAME=VALUE');
  return [...(previous ?? []), value];
}

export function promptVariables(entries: readonly string[]): Record<string, string> {
  return Object.fromEntries(entries.map((entry) => {
    const equals = entry.indexOf('=');
    return [entry.slice(0, equals), entry.slice(equals + 1)];
  }));
}
