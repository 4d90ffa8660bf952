import type { TokenTotals } from './token-totals.js';
import { costOf, priceFor, type PriceOverrides } from './pricing.js';

export interface ResponseSpend {
  /** USD, or undefined when the model has no known price. */
  usd: number | undefined;
}

/**
 * Money spent in one session, priced by model. The built-in local server costs nothing;
 * an unpriced model is shown as unknown rather than as a guessed number.
 */
export class SessionSpend {
  private total = 0;
  private unknownResponses = 0;

  constructor(private readonly model: () => string, private readonly overrides: PriceOverrides = {}, readonly free = false) {}

  add(tokens: TokenTotals): ResponseSpend {
    if (this.free) return { usd: 0 };
    const usd = costOf(tokens, priceFor(this.model(), this.overrides));
    if (usd === undefined) this.unknownResponses += 1;
    else this.total += usd;
    return { usd };
  }

  /** The total, or undefined when some response could not be priced. */
  get totalUsd(): number | undefined {
    return this.unknownResponses ? undefined : this.total;
  }

  get modelName(): string {
    return this.model();
  }
}

export function formatUsdAmount(usd: number | undefined): string {
  if (usd === undefined) return 'cost unknown';
  if (usd === 0) return '$0';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
