/**
 * pocketsphinx_batch writes one line per utterance to its -hyp file:
 * `words of the hypothesis (utterance-id score)`, with nothing before the parenthesis
 * when it heard no words.
 */
export interface Hypothesis {
  utteranceId: string;
  text: string;
}

const HYP_LINE = /^(.*?)\s*\((\S+) (-?\d+)\)\s*$/;
/** Alternate pronunciations show as word(2); fillers as <sil>, [noise], ++garbage++. */
const PRONUNCIATION_SUFFIX = /\(\d+\)$/;
const FILLER = /^(<.*>|\[.*\]|\+\+.*\+\+)$/;

export function parseHypothesisLine(line: string): Hypothesis | undefined {
  const match = HYP_LINE.exec(line);
  if (!match) return undefined;
  const words = match[1]!
    .split(/\s+/)
    .filter((word) => word && !FILLER.test(word))
    .map((word) => word.replace(PRONUNCIATION_SUFFIX, ''));
  return { utteranceId: match[2]!, text: words.join(' ') };
}
