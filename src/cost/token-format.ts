import { cachedTotal, inputTotal, outputTotal, type TokenTotals } from './token-totals.js';
import { own } from '../own-text.js';

/** `in 118 (text 102, audio 16, cached 0) · out 22 (text 22, audio 0)` */
export function formatTokens(t: TokenTotals): string {
  const cached = cachedTotal(t);
  const image = t.inputImage ? `, image ${t.inputImage}` : '';
  return `in ${inputTotal(t)} (text ${t.inputText}, audio ${t.inputAudio}${image}, cached ${cached})`
    + own` · out ${outputTotal(t)} (text ${t.outputText}, audio ${t.outputAudio})`;
}
