import { AS_WRITTEN, useOwnText } from '../../src/own-text.js';
import { IN_ASCII } from '../../src/cli/own-symbols.js';

/** Runs `check` with kaiwa's own text in ASCII, as the CLI chooses in a C locale, then puts back the default (as written). */
export function inAsciiLocale<T>(check: () => T): T {
  useOwnText(IN_ASCII);
  try {
    return check();
  } finally {
    useOwnText(AS_WRITTEN);
  }
}
