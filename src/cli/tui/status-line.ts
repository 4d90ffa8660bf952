import { formatDuration } from '../duration-format.js';
import { graphemesOf, graphemeWidth, textWidth } from './text-width.js';
import { meterCells, METER_CELLS, type Phase, type UiState } from './ui-state.js';
import { AS_CHOSEN, type OwnText } from '../../own-text.js';

const PHASE_LABEL: Record<Phase, string> = {
  'connecting': '… connecting',
  'listening': '● listening',
  'user-speaking': '◉ you’re speaking',
  'thinking': '◌ thinking',
  'assistant-speaking': '♪ assistant speaking',
  'muted': '✕ muted',
  'reconnecting': '↻ reconnecting',
  'disconnected': '⊘ connection lost',
};

/** -60 dBFS (quiet room) .. 0 dBFS (clipping) as a bar of block characters (`#` and `-` in ASCII). */
export function levelMeter(dbfs: number, own: OwnText = AS_CHOSEN): string {
  const filled = meterCells(dbfs);
  return own(`${'▮'.repeat(filled)}${'▯'.repeat(METER_CELLS - filled)}`);
}

function costText(state: UiState, own: OwnText): string {
  const used = state.sessionSeconds === undefined ? own(`${state.tokensIn}→${state.tokensOut} tok`) : formatDuration(state.sessionSeconds * 1000);
  if (state.offline) return `${used} free`;
  return state.costUsd === undefined ? used : `${used} $${state.costUsd.toFixed(4)}`;
}

/**
 * Cuts a string (no escape codes) to at most `width` terminal cells, counting wide (CJK)
 * characters as two, and ends it with `ellipsis` (`...` where the terminal takes no UTF-8,
 * so room is kept for its three cells). One pass over it, each character measured once per
 * session: the status line is cut on every redraw, and measuring each longer prefix again
 * took most of a terminal session's CPU while a reply played.
 */
export function fitWidth(text: string, width: number, ellipsis = '…'): string {
  const room = width - textWidth(ellipsis);
  let used = 0;
  let fitsBeforeEllipsis = 0;
  for (const { segment, index } of graphemesOf(text)) {
    used += graphemeWidth(segment);
    if (used <= room) fitsBeforeEllipsis = index + segment.length;
    else if (used > width) return `${text.slice(0, fitsBeforeEllipsis)}${ellipsis}`;
  }
  return text;
}

export const HELP_TEXT = 'Space: mute (push-to-talk with --vad none) · Esc: interrupt · type (or Enter): a message · y / n: answer a tool\'s question · q / Ctrl-C: quit · ?: help';
/** Without a microphone every key types: the commands are those of an empty line, and Ctrl-C. */
export const TYPING_HELP_TEXT = 'type, Enter sends · Esc: clear the line, or interrupt the reply · on an empty line y / n: answer a tool\'s question, ?: help · Ctrl-C: quit';

export function helpText(state: UiState): string {
  return state.microphone ? HELP_TEXT : TYPING_HELP_TEXT;
}

const HELP_SEPARATOR = ' · ';

/**
 * Items on rows `width` wide: each goes after the last row's (with `separator`) when it fits
 * there whole, else starts rows of its own, as `rowsOf` makes them.
 */
function packed(items: readonly string[], separator: string, width: number, rowsOf: (item: string) => string[]): string[] {
  const rows: string[] = [];
  for (const item of items) {
    const joined = rows.length ? `${rows.at(-1)}${separator}${item}` : undefined;
    if (joined !== undefined && textWidth(joined) <= width) rows[rows.length - 1] = joined;
    else rows.push(...rowsOf(item));
  }
  return rows;
}

/** `text` on rows `width` wide, broken between words (a word wider than a row is cut). */
function wordRows(text: string, width: number, ellipsis: string): string[] {
  return packed(text.split(' '), ' ', width, (word) => [fitWidth(word, width, ellipsis)]);
}

/**
 * The help on as many rows `width` wide as it needs, up to `maxRows`: cut to one row, a
 * narrow terminal showed its first key or two and an ellipsis. Each key's entry starts a row
 * unless it fits whole after the last one, and wraps between words; a help taller than the
 * rows there are ends with an ellipsis.
 */
export function helpRows(state: UiState, width: number, maxRows: number, own: OwnText = AS_CHOSEN): string[] {
  const separator = own(HELP_SEPARATOR);
  const ellipsis = own('…');
  const rows = packed(own(helpText(state)).split(separator), separator, width, (entry) => wordRows(entry, width, ellipsis));
  if (rows.length <= maxRows) return rows;
  const shown = rows.slice(0, Math.max(maxRows, 1));
  shown[shown.length - 1] = fitWidth(`${shown.at(-1)} ${ellipsis}`, width, ellipsis);
  return shown;
}

/** What the idle state is called: it must be true (no "listening" without a microphone). */
function idleLabel(state: UiState): string {
  if (!state.microphone) return '✎ no microphone · type to talk';
  return state.pushToTalk ? '○ press Space to talk' : PHASE_LABEL.listening;
}

/**
 * While the connection is down, what becomes of what the user does: captured audio is
 * dropped (the session sends no append on a closed socket, and none is replayed late), a
 * typed line is held and sent on the next connection; a muted microphone stays shown muted.
 * Once it is gone for good, the session ends.
 */
function downLabel(state: UiState, short: boolean): string {
  const reconnecting = state.phase === 'reconnecting' ? PHASE_LABEL.reconnecting : undefined;
  const what = reconnecting === undefined ? PHASE_LABEL.disconnected : short ? reconnecting : `${reconnecting} (attempt ${state.reconnectAttempt})`;
  if (state.link === 'gone') return `${what} · ${short ? 'ending' : 'the session ends'}`;
  // Muted, nothing said is sent anyway: that it is muted is what stays true across the reconnect.
  if (state.microphone && !state.muted) return `${what} · ${short ? 'you’re not heard' : 'what you say now is not heard'}`;
  const muted = state.microphone ? 'muted · ' : '';
  return `${what} · ${muted}${short ? 'typed lines wait' : 'what you type waits to be sent'}`;
}

/** The state's words (`short`: the form for a narrow terminal, where there is one). */
function phaseLabel(state: UiState, short: boolean): string {
  if (state.phase === 'listening') return idleLabel(state);
  if (state.phase === 'reconnecting' || state.phase === 'disconnected') return downLabel(state, short);
  return PHASE_LABEL[state.phase];
}

/**
 * The one-line status bar under the transcript. Too wide for the terminal, it loses what
 * says least about what is happening first (the help hint, the level meter, the token
 * count), then says "offline" short, then not at all, then says the state short (a lost
 * connection's attempt and long words), then drops the state's symbol; only the
 * state's words (and a notice) are ever cut. While the connection is down there is no level
 * meter: nothing the microphone hears then reaches anyone. Its symbols are put through `own`
 * (by default the process's choice, own-text.ts: ASCII where the terminal takes no UTF-8)
 * before it is measured. Cut from the right straight away, a narrow terminal lost the
 * state's own words (`type to ta…`) and kept the meter.
 */
export function statusLine(state: UiState, width: number, own: OwnText = AS_CHOSEN): string {
  const room = Math.max(width, 10);
  const phase = own(phaseLabel(state, false));
  const meter = state.microphone && state.link === 'up' ? [levelMeter(state.muted ? -100 : state.levelDbfs, own)] : [];
  const notice = state.notice === undefined ? [] : [own(state.notice)];
  const separator = own(' · ');
  const where = (long: boolean): string => (state.offline ? `${phase}${separator}${long ? 'offline (local server)' : 'offline'}` : phase);
  const cost = costText(state, own);
  // Drawn many times a second: each shorter form is made only when the one before it did not fit.
  const fullestFirst: Array<() => string[]> = [
    () => [where(true), ...meter, cost, notice[0] ?? '? help'],
    () => [where(true), ...meter, cost, ...notice],
    () => [where(true), cost, ...notice],
    () => [where(true), ...notice],
    () => [where(false), ...notice],
    () => [phase, ...notice],
    () => [own(phaseLabel(state, true)), ...notice],
  ];
  for (const parts of fullestFirst) {
    const line = parts().join('  ');
    if (textWidth(line) <= room) return line;
  }
  return fitWidth([own(phaseLabel(state, true)).replace(/^\S+ /, ''), ...notice].join('  '), room, own('…'));
}
