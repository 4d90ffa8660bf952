import stringWidth from 'string-width';
import type { Phase, UiState } from './ui-state.js';

const PHASE_LABEL: Record<Phase, string> = {
  'connecting': '… connecting',
  'listening': '● listening',
  'user-speaking': '◉ you’re speaking',
  'thinking': '◌ thinking',
  'assistant-speaking': '♪ assistant speaking',
  'muted': '✕ muted',
};

const METER_CELLS = 10;

/** -60 dBFS (quiet room) .. 0 dBFS (clipping) as a bar of block characters. */
export function levelMeter(dbfs: number): string {
  const fraction = Math.min(Math.max((dbfs + 60) / 60, 0), 1);
  const filled = Math.round(fraction * METER_CELLS);
  return `${'▮'.repeat(filled)}${'▯'.repeat(METER_CELLS - filled)}`;
}

function costText(state: UiState): string {
  const tokens = `${state.tokensIn}→${state.tokensOut} tok`;
  if (state.offline) return `${tokens} free`;
  return state.costUsd === undefined ? tokens : `${tokens} $${state.costUsd.toFixed(4)}`;
}

/** Cuts a string to at most `width` terminal cells, counting wide (CJK) characters as two. */
export function fitWidth(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  for (const char of text) {
    if (stringWidth(out + char) > width - 1) break;
    out += char;
  }
  return `${out}…`;
}

export const HELP_TEXT = 'Space: mute (push-to-talk with --vad none) · Esc: interrupt · Enter: type a message · y / n: answer a tool\'s question · q / Ctrl-C: quit · ?: help';

/** What the idle state is called: it must be true (no "listening" without a microphone). */
function idleLabel(state: UiState): string {
  if (!state.microphone) return '✎ no microphone · Enter to type';
  return state.pushToTalk ? '○ press Space to talk' : PHASE_LABEL.listening;
}

/** The one-line status bar under the transcript. */
export function statusLine(state: UiState, width: number): string {
  const phase = state.phase === 'listening' ? idleLabel(state) : PHASE_LABEL[state.phase];
  const parts = [
    state.offline ? `${phase} · offline (local server)` : phase,
    ...(state.microphone ? [levelMeter(state.muted ? -100 : state.levelDbfs)] : []),
    costText(state),
    state.notice ?? '? help',
  ];
  return fitWidth(parts.join('  '), Math.max(width, 10));
}
