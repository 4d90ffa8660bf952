/**
 * Splits streamed reply text into pieces worth synthesizing on their own: speaking each
 * sentence as soon as it is complete keeps the first audio close to the first words,
 * while whole sentences keep the synthesizer's intonation natural.
 */
const SENTENCE_END = /[.!?。！？…]+["')\]]*(?=\s|$)|\n+/g;
/** A run-on without punctuation is still spoken once it gets this long (at a space). */
const MAX_PIECE_CHARS = 240;

export class SentenceSplitter {
  private pending = '';

  /** Adds streamed text and returns the sentences it completed. */
  push(text: string): string[] {
    this.pending += text;
    const pieces: string[] = [];
    let start = 0;
    for (const match of this.pending.matchAll(SENTENCE_END)) {
      const end = match.index + match[0].length;
      // Only a boundary followed by more text is final: "3." may become "3.5".
      if (end >= this.pending.length) break;
      pieces.push(this.pending.slice(start, end));
      start = end;
    }
    this.pending = this.pending.slice(start);
    while (this.pending.length > MAX_PIECE_CHARS) {
      const cut = this.pending.lastIndexOf(' ', MAX_PIECE_CHARS);
      const at = cut > 0 ? cut + 1 : MAX_PIECE_CHARS;
      pieces.push(this.pending.slice(0, at));
      this.pending = this.pending.slice(at);
    }
    return pieces.map((piece) => piece.trim()).filter((piece) => piece !== '');
  }

  /** Whatever is left when the reply ends. */
  flush(): string[] {
    const rest = this.pending.trim();
    this.pending = '';
    return rest === '' ? [] : [rest];
  }
}
