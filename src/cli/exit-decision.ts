/**
 * When a conversation is over by itself (not by a signal, a quit key or a failure).
 * Asked at every quiet point — a response done, stdin closed, the budget reached —
 * and pure, so every combination is tested in a table.
 */
export type ResponseStatus = 'completed' | 'cancelled' | 'failed' | 'incomplete' | 'in_progress';

export interface FinishedResponse {
  status: ResponseStatus;
  /** It called tools, and the model will answer with their results. */
  toolsWillAnswer: boolean;
  /** It is what kaiwa asked for (or the answer to the user's voice), not someone else's. */
  answersRequest: boolean;
}

export interface RunSituation {
  /** The response that just finished, when this question follows one. */
  finished?: FinishedResponse;
  /** kaiwa's request will not be answered: the server refused it, its answer failed, or lost connections cut it off twice. */
  unanswered?: boolean;
  /** A request in the session (this one included) went unanswered: the end of piped input is not a clean one. */
  someUnanswered?: boolean;
  /** `--once`: one answer, then exit. */
  once: boolean;
  /** Typed input (stdin) has ended. */
  stdinClosed: boolean;
  /** A piped line was refused (no text) after earlier ones were sent: their answers come, then the run ends with EXIT_USAGE. */
  inputRefused?: boolean;
  /** `--max-cost`/`--max-minutes` reached: no more audio goes out. */
  budgetStopped: boolean;
  /** No audio will come any more: there is no microphone or file, or it has ended. */
  inputEnded: boolean;
  /** A response is being produced, or kaiwa's request is sent or queued. */
  responseInFlight: boolean;
  /** The server's turn detection closed a turn of the user's, and its answer has not begun (TurnAnswerWatch). */
  turnAnswerOwed?: boolean;
}

/** `--once` exit codes by the answer's status (README, "Exit codes"). */
export const EXIT_CODES: Record<ResponseStatus, number> = {
  completed: 0, in_progress: 0, incomplete: 3, failed: 1, cancelled: 1,
};
export const EXIT_UNANSWERED = 1;
/** Input kaiwa cannot use as asked (README, "Exit codes": a bad flag, config value or input). */
export const EXIT_USAGE = 2;

export type ExitDecision = { exit: false } | { exit: true; code: number };

const CONTINUE: ExitDecision = { exit: false };
const exitWith = (code: number): ExitDecision => ({ exit: true, code });

export function decideExit(situation: RunSituation): ExitDecision {
  const { finished } = situation;
  // A response that called tools is followed by the one that uses their results.
  if (finished?.toolsWillAnswer) return CONTINUE;
  if (situation.inputRefused) return situation.responseInFlight ? CONTINUE : exitWith(EXIT_USAGE);
  if (situation.once) {
    if (situation.unanswered) return exitWith(EXIT_UNANSWERED);
    if (!finished?.answersRequest) return CONTINUE;
    return exitWith(EXIT_CODES[finished.status]);
  }
  if (situation.responseInFlight) return CONTINUE;
  if (situation.budgetStopped) return exitWith(0);
  // The input may be over, the conversation is not: what the user said last is still to be answered.
  if (situation.turnAnswerOwed) return CONTINUE;
  if (situation.stdinClosed && situation.inputEnded) return exitWith(situation.someUnanswered ? EXIT_UNANSWERED : 0);
  return CONTINUE;
}
