/**
 * The colours of kaiwa's screen, none when NO_COLOR is set to anything (no-color.org): a
 * user who asked every program for no colour gets none here either. Reverse video (the
 * status bar) and dim (side text) are not colours, and are kept: without them the status
 * bar would not stand apart from the transcript.
 */
export interface Palette {
  readonly you: string;
  readonly assistant: string;
  readonly question: string;
  /** Ends a colour (every attribute: the labels and question are drawn in colour alone). */
  readonly reset: string;
}

const COLOURS: Palette = { you: '\u001b[36m', assistant: '\u001b[32m', question: '\u001b[33m', reset: '\u001b[0m' };
const NO_COLOURS: Palette = { you: '', assistant: '', question: '', reset: '' };

export function paletteFor(env: NodeJS.ProcessEnv): Palette {
  return env.NO_COLOR ? NO_COLOURS : COLOURS;
}
