/**
 * When a conversation is over by itself (not by a signal, a quit key or a failure).
 * Asked at every quiet point — a response done, stdin closed, the budget reached —
 * and pure, so every combination is tested in a table.
 */
export type ResponseStatus = 'completed' | 'cancelled' | 'failed' | 'incomplete' | 'in_progress';

export interface RunSituation {
  /** The response that just finished, when this question follows one. */
  finished?: { status: ResponseStatus; toolsWillAnswer: boolean };
  /** `--once`: one answer, then exit. */
  once: boolean;
  /** Typed input (stdin) has ended. */
  stdinClosed: boolean;
  /** `--max-cost`/`--max-minutes` reached: no more audio goes out. */
  budgetStopped: boolean;
  /** No audio will come any more: there is no microphone or file, or it has ended. */
  inputEnded: boolean;
  /** A response is being produced or is waiting to start. */
  responseInFlight: boolean;
}

export type ExitDecision = { exit: false } | { exit: true; code: number };

const CONTINUE: ExitDecision = { exit: false };
const exitWith = (code: number): ExitDecision => ({ exit: true, code });

export function decideExit(situation: RunSituation): ExitDecision {
  const { finished } = situation;
  // A response that called tools is followed by the one that uses their results.
  if (finished?.toolsWillAnswer) return CONTINUE;
  if (situation.once) {
    if (!finished) return CONTINUE;
    return exitWith(finished.status === 'failed' || finished.status === 'cancelled' ? 1 : 0);
  }
  if (situation.responseInFlight) return CONTINUE;
  if (situation.budgetStopped) return exitWith(0);
  if (situation.stdinClosed && situation.inputEnded) return exitWith(0);
  return CONTINUE;
}
