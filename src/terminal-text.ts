import { own } from './own-text.js';

/**
 * Text a server (or a recording of one) sent, made safe to print. A terminal obeys what it
 * is written: an escape sequence in a transcript or an error message could set the
 * window's title, clear the screen, move the cursor over earlier lines, or (on some
 * terminals) write to the clipboard. So nothing kaiwa prints of someone else's text keeps
 * a control character; kaiwa's own colours are added after this, around the clean text.
 */

/**
 * Escape sequences as a terminal reads them (ECMA-48), in their ESC and their C1 forms:
 * the strings (OSC, DCS, SOS, PM, APC) up to BEL or ST, or to the end of the text when
 * unterminated (a terminal would swallow that much too); CSI with its parameters; any
 * other ESC with its intermediate and final bytes. Removed whole, so no parameters or
 * window titles are left behind as litter.
 */
const ESCAPE_SEQUENCE = /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^]*?(?:\u0007|\u001b\\|\u009c|$)|(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;

/**
 * What is left to remove once the sequences are gone: C0 controls but tab and newline
 * (carriage returns, backspaces and form feeds would overwrite what was shown), DEL, the
 * C1 controls, and the bidirectional overrides and isolates, which make a line read in an
 * order other than the one it is written in.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** The same class, not global: test() keeps no position between calls. */
const ANY_CONTROL = new RegExp(CONTROL.source);
const LINE_BREAKS = /[\t\n\u2028\u2029]+/g;

/** Longest message kept whole on one line: a server's 200 KB error is not read, it floods. */
export const MAX_LINE_LENGTH = 300;

/**
 * `text` without escape sequences or control characters; lines and tabs kept (a
 * transcript), Unicode text (Japanese, emoji) kept as it is. A CR LF counts as a newline.
 */
export function printableText(text: string): string {
  // Most text has nothing to remove: a delta streamed every few milliseconds costs one scan.
  if (!ANY_CONTROL.test(text)) return text;
  return text.replace(ESCAPE_SEQUENCE, '').replace(/\r\n/g, '\n').replace(CONTROL, '');
}

/** `text` as one printable line: line breaks and tabs become a space. */
export function printableLine(text: string): string {
  return printableText(text).replace(LINE_BREAKS, ' ');
}

/**
 * `text` cut to at most `max` characters, in the middle: its first two thirds and its last
 * third kept, an ellipsis between them. A line's end is often what it is about (a file's
 * name and why it failed, an event's id), so a cut at the end would lose the reason.
 */
export function shortened(text: string, max = MAX_LINE_LENGTH): string {
  if (text.length <= max) return text;
  const ellipsis = own`…`;
  const kept = Math.max(max - ellipsis.length, 0);
  const tailLength = Math.floor(kept / 3);
  let headEnd = kept - tailLength;
  let tailStart = text.length - tailLength;
  // Not between the halves of a surrogate pair (an emoji), which would print as garbage, on either side.
  if (isHighSurrogate(text.charCodeAt(headEnd - 1))) headEnd -= 1;
  if (isLowSurrogate(text.charCodeAt(tailStart))) tailStart += 1;
  return `${text.slice(0, headEnd)}${ellipsis}${text.slice(tailStart)}`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
