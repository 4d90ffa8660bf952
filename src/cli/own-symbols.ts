import { localeIsUtf8 } from './locale-charset.js';
import { AS_WRITTEN, type OwnText } from '../own-text.js';

/**
 * The symbols kaiwa draws in its own text (the status bar, the level meter, the prompt, the
 * transcript's marks, the lines it composes: own-text.ts) and what each becomes in a
 * terminal that takes no UTF-8 (a C or Latin-1 locale), where they would show as garbage.
 * Each symbol is one cell wide (text-width.ts counts them so); its ASCII form is printable
 * ASCII, so measured as it is.
 */
export const ASCII_FORMS: Readonly<Record<string, string>> = {
  '●': '*',
  '◉': '@',
  '◌': '.',
  '♪': '~',
  '✕': 'x',
  '…': '...',
  '✎': '>',
  '○': 'o',
  '·': '|',
  '▮': '#',
  '▯': '-',
  '→': '->',
  '’': '\'',
  '›': '>',
  '▏': '_',
  '—': '--',
  '↻': '%',
  '⊘': '/',
  '–': '-',
  '×': 'x',
  '⋯': '...',
};

/** kaiwa's emoji, two cells wide (so not among the symbols above, which are measured as one). */
const WIDE_ASCII_FORMS: Readonly<Record<string, string>> = {
  '⏰': '(!)',
};

const ALL_FORMS: Readonly<Record<string, string>> = { ...ASCII_FORMS, ...WIDE_ASCII_FORMS };
const SYMBOLS = new RegExp(`[${Object.keys(ALL_FORMS).join('')}]`, 'gu');

/**
 * kaiwa's own text in ASCII. Only for text kaiwa writes itself: what the user types and the
 * model says goes out as it is.
 */
export const IN_ASCII: OwnText = (text) => text.replace(SYMBOLS, (symbol) => ALL_FORMS[symbol]!);
export { AS_WRITTEN, type OwnText };

/**
 * The charset kaiwa's own text takes in a locale: decided here, once per process, by the CLI
 * (program.ts: useOwnText); everything else (the lines, the status bar, the prompt, the
 * transcript's marks) follows that choice rather than reading the locale itself.
 */
export function ownTextFor(env: NodeJS.ProcessEnv): OwnText {
  return localeIsUtf8(env) ? AS_WRITTEN : IN_ASCII;
}
