import pricesJson from './live-prices.json' with { type: 'json' };

/** A GPT-Live model's price: per minute of session time (billed per second). */
export interface LivePrice {
  activePerMinute: number;
  /** WebRTC only, while inference is paused; a WebSocket session is always active. */
  standbyPerMinute?: number;
  source: string;
  date: string;
  note?: string;
}

function checkTable(value: unknown): Readonly<Record<string, LivePrice>> {
  const models = (value as { models?: unknown }).models;
  if (typeof models !== 'object' || models === null) throw new Error('Live price table needs a "models" object');
  for (const [model, price] of Object.entries(models as Record<string, Record<string, unknown>>)) {
    for (const field of ['activePerMinute', 'standbyPerMinute'] as const) {
      const rate = price[field];
      const required = field === 'activePerMinute';
      if ((rate !== undefined || required) && !(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0)) {
        throw new Error(`Live price for ${model}: ${field} must be a number of USD, got ${JSON.stringify(rate)}`);
      }
    }
  }
  return models as Record<string, LivePrice>;
}

const BUILT_IN = checkTable(pricesJson);

export function livePriceFor(model: string): LivePrice | undefined {
  return BUILT_IN[model.trim()];
}

/** USD for a session's cumulative active seconds (Live reports totals, never increments). */
export function liveCost(seconds: number, price: LivePrice | undefined): number | undefined {
  if (!price || !(Number.isFinite(seconds) && seconds >= 0)) return undefined;
  return (seconds / 60) * price.activePerMinute;
}
