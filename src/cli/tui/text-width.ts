import { ASCII_FORMS } from '../own-symbols.js';

/**
 * The characters kaiwa's own screen draws (status bar, meter, prompt, marks), each one cell
 * wide: East Asian Ambiguous, which string-width (and terminals outside CJK locales) count
 * as narrow. With these and ASCII the screen is measured without string-width, which is
 * loaded only once other text appears: loading it costs ~50 ms of CPU (ICU's segmenter, the
 * Unicode emoji set parsed into a regular expression) and its first look at a character
 * ~60 ms more, for nothing while everything shown is ASCII and these.
 */
const OWN_SYMBOLS = new Set(Object.keys(ASCII_FORMS));

const widths = new Map<string, number>([...OWN_SYMBOLS].map((symbol) => [symbol, 1]));
let segmenter: Intl.Segmenter | undefined;
let measure: ((text: string) => number) | undefined;
let loading: Promise<void> | undefined;
const whenLoaded: Array<() => void> = [];

/** Loads string-width (once); what waits for it (onPreciseWidths) is told when it has. */
export function loadPreciseWidths(): Promise<void> {
  loading ??= import('string-width').then(({ default: stringWidth }) => {
    measure = stringWidth;
    for (const callback of whenLoaded.splice(0)) callback();
  }, () => {
    // Not there (a broken install): the screen keeps its estimates, which never draw too narrow.
  });
  return loading;
}

/** Whether string-width has been asked for (text other than ASCII and kaiwa's symbols was measured). */
export function preciseWidthsWanted(): boolean {
  return loading !== undefined;
}

/** Calls `callback` when string-width has loaded, if it ever is (a screen drawn with estimates draws again). */
export function onPreciseWidths(callback: () => void): void {
  if (measure) return;
  whenLoaded.push(callback);
}

/** Printable ASCII and kaiwa's own symbols: one character, one cell, each its own grapheme. */
function isPlainCell(character: string): boolean {
  const code = character.charCodeAt(0);
  return (code >= 0x20 && code <= 0x7e) || OWN_SYMBOLS.has(character);
}

function isPlain(text: string): boolean {
  for (const character of text) if (!isPlainCell(character)) return false;
  return true;
}

/**
 * Cells of one grapheme (wide CJK 2, combining marks 0), each distinct grapheme measured
 * once per session. Until string-width has loaded (it starts loading here), any other than
 * kaiwa's own counts as 2: never narrower than a terminal draws it, so nothing drawn with
 * the estimate wraps by itself.
 */
export function graphemeWidth(grapheme: string): number {
  let width = widths.get(grapheme);
  if (width !== undefined) return width;
  if (isPlain(grapheme)) return grapheme.length;
  if (!measure) {
    void loadPreciseWidths();
    return 2;
  }
  width = measure(grapheme);
  if (widths.size < 4096) widths.set(grapheme, width);
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

/**
 * `text` without its last grapheme: what backspace takes back is one character as the
 * terminal shows it (an emoji with its skin tone, a letter with its accent), not one code point.
 */
export function withoutLastGrapheme(text: string): string {
  let last = 0;
  for (const { index } of graphemesOf(text)) last = index;
  return text.slice(0, last);
}
