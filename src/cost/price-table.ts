import pricesJson from './prices.json' with { type: 'json' };

/**
 * USD per 1M tokens for one model. A field that is absent is not priced: a cost that needs
 * it is unknown, never estimated.
 */
export interface ModelPrice {
  textIn?: number;
  cachedTextIn?: number;
  textOut?: number;
  audioIn?: number;
  cachedAudioIn?: number;
  audioOut?: number;
  imageIn?: number;
  cachedImageIn?: number;
  /** Where the numbers were read, so a stale price can be checked against its page. */
  source?: string;
  /** When they were read (YYYY-MM-DD). */
  date?: string;
  note?: string;
}

export const PRICE_FIELDS = [
  'textIn', 'cachedTextIn', 'textOut', 'audioIn', 'cachedAudioIn', 'audioOut', 'imageIn', 'cachedImageIn',
] as const;

export type PriceField = (typeof PRICE_FIELDS)[number];

export interface AliasEntry {
  family: string;
  source?: string;
  date?: string;
  note?: string;
}

export interface PriceTable {
  models: Readonly<Record<string, ModelPrice>>;
  aliases: Readonly<Record<string, AliasEntry>>;
}

/**
 * The JSON is data edited by hand; checking it once at load turns a typo (a string price,
 * an alias to nothing) into an error at startup instead of a wrong bill later.
 */
export function checkPriceTable(value: unknown): PriceTable {
  const table = value as { models?: unknown; aliases?: unknown };
  if (!isRecord(table.models) || !isRecord(table.aliases)) throw new Error('price table needs "models" and "aliases" objects');
  for (const [model, price] of Object.entries(table.models)) checkModelPrice(model, price);
  for (const [alias, entry] of Object.entries(table.aliases)) {
    const family = isRecord(entry) ? entry.family : undefined;
    if (typeof family !== 'string' || !(family in table.models)) {
      throw new Error(`price table: alias ${alias} points to no priced model`);
    }
  }
  return table as unknown as PriceTable;
}

export function checkModelPrice(model: string, price: unknown): asserts price is ModelPrice {
  if (!isRecord(price)) throw new Error(`price for ${model} must be an object`);
  for (const field of PRICE_FIELDS) {
    const rate = price[field];
    if (rate !== undefined && !(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0)) {
      throw new Error(`price for ${model}: ${field} must be a number of USD per 1M tokens, got ${JSON.stringify(rate)}`);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const BUILT_IN_PRICES: PriceTable = checkPriceTable(pricesJson);
