import type { ChatOptions } from './chat-options.js';
import type { ChatIo } from './chat-run.js';
import type { TerminalUi, UiHandlers } from './tui/terminal-ui.js';
import type { PacedPlayer } from '../audio/paced-player.js';
import type { RedactingLogger } from '../logger.js';
import { canRedrawInPlace } from './terminal-redraw.js';

/** A run in a terminal gets the full-screen UI; pipes, dumb terminals and --json get plain lines. */
export function wantsTerminalUi(io: ChatIo, options: ChatOptions, env: NodeJS.ProcessEnv = process.env): boolean {
  return canRedrawInPlace(io.stdout, env) && Boolean(io.stdin.isTTY) && !options.json;
}

export interface TerminalParts {
  io: ChatIo;
  logger: RedactingLogger;
  options: ChatOptions;
  offline: boolean;
  /** The UI class, loaded only when kaiwa runs in a terminal. */
  Ui: typeof TerminalUi | undefined;
  microphone: boolean;
  handlers: UiHandlers;
}

/** The terminal UI when kaiwa runs in one (log lines then go above its status bar). */
export function openTerminal(parts: TerminalParts): TerminalUi | undefined {
  const { io, logger, options, Ui } = parts;
  if (!Ui || !wantsTerminalUi(io, options)) return undefined;
  const ui = new Ui(io.stdout as NodeJS.WriteStream, io.stdin as NodeJS.ReadStream, parts.handlers, {
    offline: parts.offline, pushToTalk: options.vad === 'none', microphone: parts.microphone,
    billedBy: options.protocol === 'live' ? 'session-time' : 'tokens',
  });
  logger.redirect((line) => ui.note(logger.redact(line)));
  return ui;
}

export function closeTerminal(ui: TerminalUi | undefined, logger: RedactingLogger, io: ChatIo): void {
  ui?.close();
  logger.redirect((line) => io.stderr.write(line));
}

/** Keeps the status bar's "assistant speaking" true to what the speaker plays. */
export function showAudible(ui: TerminalUi, speaker: PacedPlayer, over: () => boolean): void {
  const show = (audible: boolean): void => {
    if (over()) return void speaker.off('audible', show);
    ui.dispatch({ type: 'audible', audible });
  };
  speaker.on('audible', show);
}
