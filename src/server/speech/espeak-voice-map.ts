/**
 * OpenAI voice names → espeak-ng voice variants, and the API's `speed` → espeak's
 * words per minute. Each OpenAI voice gets its own variant so a listener can tell them
 * apart; the female/male leaning follows how the OpenAI voices sound. alloy, the API's
 * default, gets en-us+f5: of the variants tried it is the one pocketsphinx recognizes
 * best (28 % WER vs 60-90 % for most), which keeps a local round trip usable.
 */
export const ESPEAK_VARIANTS: Readonly<Record<string, string>> = {
  alloy: 'f5',
  ash: 'm6',
  ballad: 'klatt3',
  coral: 'f2',
  echo: 'm3',
  sage: 'f4',
  shimmer: 'f3',
  verse: 'klatt4',
  marin: 'f1',
  cedar: 'm5',
};

export const DEFAULT_OPENAI_VOICE = 'alloy';

/** Unknown names (a newer API voice, a typo) fall back to the default's variant. */
export function espeakVariantFor(openAiVoice: string): string {
  return ESPEAK_VARIANTS[openAiVoice.toLowerCase()] ?? ESPEAK_VARIANTS[DEFAULT_OPENAI_VOICE]!;
}

/** espeak-ng's own default rate, which the API's speed 1.0 stands for. */
export const ESPEAK_DEFAULT_WPM = 175;
/** espeak-ng clamps below 80 wpm; saying so here keeps the mapping honest. */
const ESPEAK_MIN_WPM = 80;
const ESPEAK_MAX_WPM = 450;

/** The API allows 0.25..1.5; 0.25 would be 44 wpm, which espeak-ng can't go down to. */
export function wordsPerMinute(speed: number): number {
  const factor = Number.isFinite(speed) && speed > 0 ? speed : 1;
  return Math.round(Math.min(ESPEAK_MAX_WPM, Math.max(ESPEAK_MIN_WPM, ESPEAK_DEFAULT_WPM * factor)));
}
