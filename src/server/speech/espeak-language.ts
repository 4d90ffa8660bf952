/**
 * Picks the espeak-ng language for a sentence: an explicit non-English language wins,
 * Japanese script in the text selects Japanese (the session may not say which language
 * the model answers in), and anything espeak-ng lacks falls back to US English.
 */

export const FALLBACK_LANGUAGE = 'en-us';

/** Hiragana, katakana (incl. half-width) and CJK ideographs. */
const JAPANESE_SCRIPT = /[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f\u4e00-\u9fff\u3400-\u4dbf]/u;

export function containsJapanese(text: string): boolean {
  return JAPANESE_SCRIPT.test(text);
}

/**
 * @param available espeak-ng's language codes (`espeak-ng --voices`), lower case.
 * @returns a code to pass as `-v` (a variant is appended by the caller).
 */
export function espeakLanguageFor(text: string, language: string | undefined, available: ReadonlySet<string>): string {
  const requested = normalizeTag(language);
  const primary = requested?.split('-')[0];
  if (requested && primary !== 'en') {
    const match = matchAvailable(requested, available);
    if (match) return match;
  }
  if ((primary === 'ja' || containsJapanese(text)) && available.has('ja')) return 'ja';
  if (requested && primary === 'en') return matchAvailable(requested, available) ?? FALLBACK_LANGUAGE;
  return FALLBACK_LANGUAGE;
}

/** Exact tag, else the primary language alone, else its home-country voice (fr → fr-fr), else any regional one. */
function matchAvailable(tag: string, available: ReadonlySet<string>): string | undefined {
  if (available.has(tag)) return tag;
  const primary = tag.split('-')[0]!;
  if (available.has(primary)) return primary;
  // 'en' alone means American English here, matching the pocketsphinx model and the API's voices.
  if (primary === 'en') return FALLBACK_LANGUAGE;
  if (available.has(`${primary}-${primary}`)) return `${primary}-${primary}`;
  return [...available].sort().find((code) => code.startsWith(`${primary}-`));
}

function normalizeTag(language: string | undefined): string | undefined {
  const tag = language?.trim().toLowerCase().replace(/_/g, '-');
  return tag ? tag : undefined;
}
