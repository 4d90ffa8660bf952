/**
 * Whether words sound like a finished turn, for semantic_vad. No language model runs here,
 * so the judgment is about the last word only: a turn that ends on a word that needs more
 * after it ("and", "the", "to", "um") is not finished. Misrecognitions cut both ways, but
 * the cost is bounded: a wrong "unfinished" waits out eagerness's silence window, a wrong
 * "finished" answers after a pause the speaker meant to continue from.
 */
const CONTINUING_WORDS = new Set([
  // conjunctions and subordinators
  'and', 'or', 'but', 'so', 'because', 'if', 'when', 'while', 'although', 'though', 'unless', 'than', 'that', 'which', 'who', 'whose', 'where',
  // articles, determiners, possessives
  'a', 'an', 'the', 'this', 'these', 'those', 'my', 'your', 'his', 'her', 'its', 'our', 'their', 'some', 'any', 'every', 'each', 'no',
  // prepositions
  'to', 'of', 'in', 'on', 'at', 'for', 'with', 'from', 'by', 'about', 'into', 'onto', 'over', 'under', 'between', 'through', 'during', 'without', 'like',
  // auxiliaries and pronouns that open a clause
  'i', 'we', 'you', 'they', 'he', 'she', 'is', 'are', 'was', 'were', 'am', 'be', 'been', 'do', 'does', 'did', 'have', 'has', 'had',
  'can', 'could', 'will', 'would', 'shall', 'should', 'may', 'might', 'must', "i'm", "it's", "you're", "we're", "they're", "i'd", "i'll",
  // hesitations
  'um', 'uh', 'er', 'erm', 'hmm', 'mm', 'well', 'maybe',
]);

export function soundsFinished(words: string): boolean {
  const list = words.toLowerCase().match(/[a-z']+/g);
  const last = list?.at(-1);
  return last !== undefined && !CONTINUING_WORDS.has(last);
}
