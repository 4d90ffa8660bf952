import stringWidth from 'string-width';

/**
 * The characters kaiwa's own screen draws (status bar, meter, prompt, marks), each one cell
 * wide: East Asian Ambiguous, which string-width (and terminals outside CJK locales) count
 * as narrow. Known here, the status bar is measured without string-width: its first
 * measurement of anything but ASCII compiles the whole Unicode emoji set into a regular
 * expression (~45 ms of CPU at every start in a terminal).
 */
const OWN_SYMBOLS = new Set('●◉◌♪✕…✎○·▮▯→’›▏—');

const widths = new Map<string, number>([...OWN_SYMBOLS].map((symbol) => [symbol, 1]));
let segmenter: Intl.Segmenter | undefined;

/** Printable ASCII and kaiwa's own symbols: one character, one cell, each its own grapheme. */
function isPlainCell(character: string): boolean {
  const code = character.charCodeAt(0);
  return (code >= 0x20 && code <= 0x7e) || OWN_SYMBOLS.has(character);
}

function isPlain(text: string): boolean {
  for (const character of text) if (!isPlainCell(character)) return false;
  return true;
}

/** Cells of one grapheme (wide CJK 2, combining marks 0), each distinct grapheme measured once per session. */
export function graphemeWidth(grapheme: string): number {
  let width = widths.get(grapheme);
  if (width === undefined) {
    width = stringWidth(grapheme);
    if (widths.size < 4096) widths.set(grapheme, width);
  }
  return width;
}

/** The graphemes of `text` (no escape codes) as a terminal draws them, with where each starts. */
export function graphemesOf(text: string): Iterable<{ segment: string; index: number }> {
  if (isPlain(text)) return plainCells(text);
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

function* plainCells(text: string): Iterable<{ segment: string; index: number }> {
  let index = 0;
  for (const segment of text) {
    yield { segment, index };
    index += segment.length;
  }
}

/** Terminal cells `text` (no escape codes) takes. */
export function textWidth(text: string): number {
  if (isPlain(text)) return [...text].length;
  let width = 0;
  for (const { segment } of graphemesOf(text)) width += graphemeWidth(segment);
  return width;
}
