/**
 * kaiwa's own text in the lines it composes (notices, warnings, errors, usage, summaries,
 * tool lines, serve's and replay's lines) in the terminal's charset. Those lines mix kaiwa's
 * words and symbols (` · `, ` → `, `…`) with what the user typed, the model said, a tool
 * returned or a server sent, which must go out as it is: so the line's builder says which
 * part is whose. It writes the line as a template tagged `own`: the template's literal
 * parts are kaiwa's, and their symbols follow the choice made here; the values put into it
 * are written unchanged (a value that is itself kaiwa's text was composed with `own` too).
 *
 *     own`tool ${name} → ${outcome} in ${ms} ms: ${output}`
 *
 * The choice is the process's, made once: kaiwa's symbols as written until the CLI, first
 * thing at its start (program.ts), chooses from the locale (ASCII outside UTF-8:
 * cli/own-symbols.ts). A library user's lines stay as written. What draws kaiwa's symbols
 * from strings rather than a template (the status bar, the prompt, the help, the
 * transcript's marks) follows the same choice: AS_CHOSEN. A template is put into the
 * charset when it is evaluated, so none is evaluated at a module's top (before the choice;
 * test/own-text-at-module-top.test.ts imports every module to see that none is).
 */

/** Puts kaiwa's own text into the terminal's charset (cli/own-symbols.ts has the ASCII forms). */
export type OwnText = (text: string) => string;

export const AS_WRITTEN: OwnText = (text) => text;

/**
 * The choice is kept on the process, not in this module: the CLI's bundle has its own copy of
 * this module and the modules left in dist load another (scripts/bundle-cli.mjs); one choice
 * must hold for every copy.
 */
const CHOICE = Symbol.for('kaiwa.own-text');
type ChoiceHolder = { [CHOICE]?: OwnText };

function current(text: string): string {
  return ((globalThis as ChoiceHolder)[CHOICE] ?? AS_WRITTEN)(text);
}

function choose(ownText: OwnText): void {
  (globalThis as ChoiceHolder)[CHOICE] = ownText;
}

/**
 * Whatever the process chose, looked up each time it is applied (so one taken before the
 * choice follows it, and `asWritten` holds for it too): the default of whatever draws
 * kaiwa's symbols from a string rather than a template (the status bar, the transcript's
 * marks), which a test may give IN_ASCII or AS_WRITTEN instead.
 */
export const AS_CHOSEN: OwnText = current;

/** Chooses, for the rest of the process, how kaiwa's own symbols are written. */
export function useOwnText(ownText: OwnText): void {
  choose(ownText);
}

/** A line of kaiwa's: its literal parts in the chosen charset, the values put in as they are. */
export function own(literals: TemplateStringsArray, ...values: unknown[]): string {
  let text = current(literals[0]!);
  for (let index = 0; index < values.length; index += 1) text += String(values[index]) + current(literals[index + 1]!);
  return text;
}

/**
 * Runs `compose` with kaiwa's symbols as written, whatever was chosen: for what is not for
 * this terminal, a file (transcript.md) read anywhere later. The choice is back after it.
 */
export function asWritten<T>(compose: () => T): T {
  const chosen = (globalThis as ChoiceHolder)[CHOICE] ?? AS_WRITTEN;
  choose(AS_WRITTEN);
  try {
    return compose();
  } finally {
    choose(chosen);
  }
}
