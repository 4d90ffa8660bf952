import { InvalidArgumentError } from 'commander';
import type { SessionConfig } from '../protocol/events.js';
import { BUILT_IN_VOICES, isBuiltInVoice, isCustomVoiceId } from '../protocol/voices.js';
import { own } from '../own-text.js';

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
  throw new InvalidArgumentError(own`unknown voice "${value}": use ${BUILT_IN_VOICES.join(', ')}, or a custom voice id (voice_…)`);
}

/** ISO-639-1 codes (a region suffix is tolerated), one or several separated by commas. */
export function languageList(value: string): string {
  const codes = value.split(',').map((code) => code.trim());
  const bad = codes.find((code) => !isLanguageCode(code));
  if (bad !== undefined) throw new InvalidArgumentError(notALanguage(bad));
  return codes.join(',');
}

/**
 * Country codes that are no language, typed where one is meant (Japan's `jp` for Japanese
 * `ja`). Those that are also a language (`se`, `tw`, `uk`) are taken as that language.
 */
const LANGUAGE_OF_COUNTRY: Readonly<Record<string, string>> = {
  jp: 'ja', cn: 'zh', ua: 'uk', gr: 'el', dk: 'da', cz: 'cs', us: 'en', gb: 'en', vn: 'vi', il: 'he',
  at: 'de', mx: 'es', ir: 'fa', pk: 'ur', rs: 'sr',
};

function isLanguageCode(code: string): boolean {
  if (!/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$/.test(code)) return false;
  const names = languageNames();
  // A Node built without ICU's language names knows none of them: the shape is all it can check.
  return names?.of('en') === undefined || names.of(code.split('-')[0]!.toLowerCase()) !== undefined;
}

let knownLanguages: Intl.DisplayNames | undefined;

function languageNames(): Intl.DisplayNames | undefined {
  try {
    knownLanguages ??= new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });
  } catch {
    return undefined;
  }
  return knownLanguages;
}

function notALanguage(code: string): string {
  const likely = LANGUAGE_OF_COUNTRY[code.split('-')[0]!.toLowerCase()];
  if (likely !== undefined) return `"${code}" is not a language code (did you mean ${likely}?)`;
  return `"${code}" is not a language code: use ISO-639-1 codes such as ja or en, comma-separated for several`;
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
