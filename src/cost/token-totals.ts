import type { Usage } from '../protocol/events.js';

/** Token counts by the kinds that are priced differently. */
export interface TokenTotals {
  inputText: number;
  inputAudio: number;
  inputImage: number;
  cachedText: number;
  cachedAudio: number;
  cachedImage: number;
  outputText: number;
  outputAudio: number;
}

export const ZERO_TOKENS: TokenTotals = Object.freeze({
  inputText: 0, inputAudio: 0, inputImage: 0,
  cachedText: 0, cachedAudio: 0, cachedImage: 0,
  outputText: 0, outputAudio: 0,
});

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Reads `response.done` usage into TokenTotals. `input_token_details.text_tokens` and
 * `audio_tokens` include the cached ones; cached tokens are split out so they can be
 * priced at the cached rate.
 */
export function tokensOfUsage(usage: Usage | undefined | null): TokenTotals {
  const input = usage?.input_token_details;
  const output = usage?.output_token_details;
  const cached = input?.cached_tokens_details;
  const reportedCached = count(input?.cached_tokens);
  const cachedText = cached ? count(cached.text_tokens) : reportedCached;
  const cachedAudio = cached ? count(cached.audio_tokens) : 0;
  const cachedImage = cached ? count(cached.image_tokens) : 0;
  return {
    inputText: count(input?.text_tokens),
    inputAudio: count(input?.audio_tokens),
    inputImage: count(input?.image_tokens),
    cachedText, cachedAudio, cachedImage,
    outputText: count(output?.text_tokens),
    outputAudio: count(output?.audio_tokens),
  };
}

export function addTokens(a: TokenTotals, b: TokenTotals): TokenTotals {
  return {
    inputText: a.inputText + b.inputText,
    inputAudio: a.inputAudio + b.inputAudio,
    inputImage: a.inputImage + b.inputImage,
    cachedText: a.cachedText + b.cachedText,
    cachedAudio: a.cachedAudio + b.cachedAudio,
    cachedImage: a.cachedImage + b.cachedImage,
    outputText: a.outputText + b.outputText,
    outputAudio: a.outputAudio + b.outputAudio,
  };
}

export function inputTotal(t: TokenTotals): number {
  return t.inputText + t.inputAudio + t.inputImage;
}

export function outputTotal(t: TokenTotals): number {
  return t.outputText + t.outputAudio;
}

export function cachedTotal(t: TokenTotals): number {
  return t.cachedText + t.cachedAudio + t.cachedImage;
}
