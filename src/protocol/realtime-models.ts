import type { RealtimeReasoningEffort } from 'openai/resources/realtime/realtime';

export type ReasoningEffort = RealtimeReasoningEffort;

/** The SDK's `RealtimeReasoningEffort`, as a list the CLI can offer and check. */
export const REASONING_EFFORTS: readonly ReasoningEffort[] = ['minimal', 'low', 'medium', 'high', 'xhigh'];

/** Models the SDK and the model pages describe as reasoning ("reasoning token support"). */
const REASONING = /^gpt-realtime-2(\.\d+)?(-mini)?(-\d{4}-\d{2}-\d{2})?$/;

/** Models published without reasoning: the 2024 previews, gpt-realtime, -1.5, -mini and gpt-audio. */
const NOT_REASONING = [
  /^gpt-4o(-mini)?-realtime-preview/,
  /^gpt-realtime(-\d{4}-\d{2}-\d{2})?$/,
  /^gpt-realtime-1\.5/,
  /^gpt-realtime-mini/,
  /^gpt-audio/,
];

/**
 * Whether a model takes `reasoning.effort`: 'unknown' for names kaiwa has never heard of
 * (an Azure deployment, a model newer than this release), which are given the benefit of the doubt.
 */
export function reasoningSupport(model: string): 'yes' | 'no' | 'unknown' {
  const name = model.trim();
  if (REASONING.test(name)) return 'yes';
  return NOT_REASONING.some((pattern) => pattern.test(name)) ? 'no' : 'unknown';
}
