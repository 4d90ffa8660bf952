/**
 * Word error rate: (substitutions + deletions + insertions) / reference words, from the
 * word-level edit distance. Case and punctuation are ignored; recognizers output neither.
 */
export function normalizeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9'\s]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

export function wordEditDistance(reference: string[], hypothesis: string[]): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const substitution = previous[j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[hypothesis.length]!;
}

/** WER over a corpus: total errors over total reference words (not a mean of per-sentence rates). */
export function wordErrorRate(pairs: { reference: string; hypothesis: string }[]): number {
  let errors = 0;
  let words = 0;
  for (const { reference, hypothesis } of pairs) {
    const referenceWords = normalizeWords(reference);
    errors += wordEditDistance(referenceWords, normalizeWords(hypothesis));
    words += referenceWords.length;
  }
  if (words === 0) throw new RangeError('WER needs at least one reference word');
  return errors / words;
}
