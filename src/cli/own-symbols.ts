import { localeIsUtf8 } from './locale-charset.js';

/**
 * The symbols kaiwa draws in its own text (the status bar, the level meter, the prompt, the
 * transcript's marks) and what each becomes in a terminal that takes no UTF-8 (a C or
 * Latin-1 locale), where they would show as garbage. Each symbol is one cell wide
 * (text-width.ts counts them so); its ASCII form is printable ASCII, so measured as it is.
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
};

const SYMBOLS = new RegExp(`[${Object.keys(ASCII_FORMS).join('')}]`, 'g');

/**
 * Puts kaiwa's own text into the terminal's charset. Only for text kaiwa writes itself:
 * what the user types and the model says goes out as it is.
 */
export type OwnText = (text: string) => string;

export const AS_WRITTEN: OwnText = (text) => text;
export const IN_ASCII: OwnText = (text) => text.replace(SYMBOLS, (symbol) => ASCII_FORMS[symbol]!);

export function ownTextFor(env: NodeJS.ProcessEnv): OwnText {
  return localeIsUtf8(env) ? AS_WRITTEN : IN_ASCII;
}
