/**
 * Token counting for `response.done.response.usage`. Nothing here runs a real tokenizer,
 * so the counts are documented approximations chosen to land near the service's:
 *
 * - Text: ~4 characters per token for ASCII text (OpenAI's published rule of thumb for
 *   English), and 1 token per other character (CJK and most non-Latin scripts take about
 *   one token per character in the o200k vocabulary). Each message adds 4 tokens for its
 *   role markers, as in the chat format.
 * - User audio: 10 tokens per second (the service bills user audio at 1 token per 100 ms).
 * - Assistant audio: 20 tokens per second (1 token per 50 ms), both when produced and when
 *   re-read as context in later responses.
 * - Nothing is cached, so `cached_tokens` is always 0.
 */
import type { Usage } from '../protocol/events.js';

export const INPUT_AUDIO_TOKENS_PER_SECOND = 10;
export const OUTPUT_AUDIO_TOKENS_PER_SECOND = 20;
export const MESSAGE_OVERHEAD_TOKENS = 4;

export interface TokenTally {
  text: number;
  audio: number;
}

export function emptyTally(): TokenTally {
  return { text: 0, audio: 0 };
}

export function textTokens(text: string): number {
  if (text.length === 0) return 0;
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    if (char.charCodeAt(0) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 4) + other;
}

export function userAudioTokens(durationMs: number): number {
  return Math.ceil((durationMs / 1000) * INPUT_AUDIO_TOKENS_PER_SECOND);
}

export function assistantAudioTokens(durationMs: number): number {
  return Math.ceil((durationMs / 1000) * OUTPUT_AUDIO_TOKENS_PER_SECOND);
}

export function usageOf(input: TokenTally, output: TokenTally): Usage {
  const inputTokens = input.text + input.audio;
  const outputTokens = output.text + output.audio;
  return {
    total_tokens: inputTokens + outputTokens,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    input_token_details: {
      text_tokens: input.text,
      audio_tokens: input.audio,
      image_tokens: 0,
      cached_tokens: 0,
      cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
    },
    output_token_details: { text_tokens: output.text, audio_tokens: output.audio },
  };
}
