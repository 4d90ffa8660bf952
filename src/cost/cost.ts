import type { TokenTotals } from './token-totals.js';
import type { ModelPrice, PriceField } from './price-table.js';

const PER_MILLION = 1_000_000;

/**
 * The USD cost of some tokens at a price, or undefined when the price is unknown or lacks a
 * rate that these tokens need. The API's input counts include the cached tokens, so the
 * uncached part is input − cached at the full rate and the cached part is at the cached rate.
 */
export function costOf(tokens: TokenTotals, price: ModelPrice | undefined): number | undefined {
  if (!price) return undefined;
  const parts: Array<[count: number, field: PriceField]> = [
    [uncached(tokens.inputText, tokens.cachedText), 'textIn'],
    [tokens.cachedText, 'cachedTextIn'],
    [uncached(tokens.inputAudio, tokens.cachedAudio), 'audioIn'],
    [tokens.cachedAudio, 'cachedAudioIn'],
    [uncached(tokens.inputImage, tokens.cachedImage), 'imageIn'],
    [tokens.cachedImage, 'cachedImageIn'],
    [tokens.outputText, 'textOut'],
    [tokens.outputAudio, 'audioOut'],
  ];
  let usdPerMillion = 0;
  for (const [count, field] of parts) {
    if (count === 0) continue;
    const rate = price[field];
    if (rate === undefined) return undefined;
    usdPerMillion += count * rate;
  }
  return usdPerMillion / PER_MILLION;
}

/** A server that reports more cached than total tokens must not produce a negative bill. */
function uncached(total: number, cached: number): number {
  return Math.max(0, total - cached);
}
