import pricesJson from './transcription-prices.json' with { type: 'json' };
import type { ServerEventOf } from '../protocol/events.js';

/**
 * The price of a transcription model: per minute of audio, or per 1M tokens (audio in,
 * text prompt in, text out). A rate that is absent is not priced: a cost that needs it
 * is unknown, never estimated.
 */
export interface TranscriptionPrice {
  perMinute?: number;
  audioIn?: number;
  textIn?: number;
  textOut?: number;
  source?: string;
  date?: string;
  note?: string;
}

/** What the service reports with each completed transcript. */
export type TranscriptionUsage = ServerEventOf<'conversation.item.input_audio_transcription.completed'>['usage'];

const RATE_FIELDS = ['perMinute', 'audioIn', 'textIn', 'textOut'] as const;
const PER_MILLION = 1_000_000;

function checkTable(value: unknown): Readonly<Record<string, TranscriptionPrice>> {
  const models = (value as { models?: unknown }).models;
  if (typeof models !== 'object' || models === null) throw new Error('transcription price table needs a "models" object');
  for (const [model, price] of Object.entries(models as Record<string, Record<string, unknown>>)) {
    for (const field of RATE_FIELDS) {
      const rate = price[field];
      if (rate !== undefined && !(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0)) {
        throw new Error(`transcription price for ${model}: ${field} must be a number of USD, got ${JSON.stringify(rate)}`);
      }
    }
  }
  return models as Record<string, TranscriptionPrice>;
}

const BUILT_IN = checkTable(pricesJson);

export function transcriptionPriceFor(model: string): TranscriptionPrice | undefined {
  return BUILT_IN[model.trim()];
}

/** USD for one transcript's usage, or undefined when the usage or a rate it needs is missing. */
export function transcriptionCost(usage: TranscriptionUsage | undefined, price: TranscriptionPrice | undefined): number | undefined {
  if (!usage || !price) return undefined;
  if (usage.type === 'duration') {
    return price.perMinute === undefined ? undefined : (usage.seconds / 60) * price.perMinute;
  }
  const details = usage.input_token_details;
  if (!details || price.audioIn === undefined || price.textIn === undefined || price.textOut === undefined) return undefined;
  const usdPerMillion = (details.audio_tokens ?? 0) * price.audioIn + (details.text_tokens ?? 0) * price.textIn
    + usage.output_tokens * price.textOut;
  return usdPerMillion / PER_MILLION;
}
