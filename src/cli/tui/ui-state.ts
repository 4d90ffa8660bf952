import type { ServerEvent } from '../../protocol/events.js';
import { DEFAULT_TURN_ANSWERS, turnAnswersOf, type ServerTurnAnswers } from '../../client/server-turn-answers.js';

export type Phase = 'connecting' | 'listening' | 'user-speaking' | 'thinking' | 'assistant-speaking' | 'muted' | 'reconnecting' | 'disconnected';

/**
 * The connection as the user should know it: up; down (what is spoken now is dropped, typed
 * lines are held for the next connection), while reconnecting or before it begins; or gone
 * for good (reconnecting gave up, was refused, or is off): the session ends.
 */
export type Link = 'up' | 'down' | 'gone';

/** Everything the status line shows; changed only through `reduceUi`. */
export interface UiState {
  readonly phase: Phase;
  readonly muted: boolean;
  readonly offline: boolean;
  /** A microphone (or input file) is open; without one the user can only type. */
  readonly microphone: boolean;
  readonly pushToTalk: boolean;
  /** The server hears the user speaking (between speech_started and speech_stopped). */
  readonly userSpeaking: boolean;
  /** Push-to-talk is recording right now. */
  readonly talking: boolean;
  readonly levelDbfs: number;
  readonly assistantAudible: boolean;
  readonly responseActive: boolean;
  /** kaiwa asked for a response, and the server has neither begun it nor refused it. */
  readonly answerRequested: boolean;
  /** The server's turn detection closed a turn of the user's that it answers itself, and no response has begun since. */
  readonly turnAwaitingAnswer: boolean;
  readonly serverTurns: ServerTurnAnswers;
  readonly tokensIn: number;
  readonly tokensOut: number;
  /** Filled by the cost tracker when the model's price is known. */
  readonly costUsd?: number;
  /** GPT-Live bills session time, not tokens: its seconds so far stand where the tokens would. */
  readonly sessionSeconds?: number;
  /** The line being typed; without a microphone always open (typing is how the user talks). */
  readonly typing?: string;
  readonly showHelp: boolean;
  readonly notice?: string;
  readonly link: Link;
  /** While the link is down: the reconnect attempt waited for or under way (none yet: not reconnecting, or not begun). */
  readonly reconnectAttempt?: number;
}

export type UiAction =
  | { type: 'server'; event: ServerEvent }
  | { type: 'level'; dbfs: number }
  | { type: 'audible'; audible: boolean }
  | { type: 'mute'; muted: boolean }
  | { type: 'talking'; talking: boolean }
  | { type: 'answer-requested'; pending: boolean }
  | { type: 'typing'; text: string | undefined }
  | { type: 'help'; show: boolean }
  | { type: 'usage'; tokensIn: number; tokensOut: number; costUsd?: number }
  | { type: 'session-time'; seconds: number; costUsd?: number }
  | { type: 'notice'; text: string | undefined }
  /** The session began, or began again on a new connection after a loss. */
  | { type: 'connected' }
  /** The connection dropped: what was under way on it (an answer, the user's turn) ends with it. */
  | { type: 'connection-lost' }
  /** While the connection is down: this attempt to reconnect is waited for or under way. */
  | { type: 'reconnecting'; attempt: number }
  /** The connection is lost for good (no reconnect, or none succeeded): the session ends. */
  | { type: 'connection-ended' };

export interface UiOptions {
  offline: boolean;
  pushToTalk: boolean;
  microphone?: boolean;
  /** What the session is billed by: tokens (the Realtime API) or session time (GPT-Live). */
  billedBy?: 'tokens' | 'session-time';
}

export function initialUi(options: UiOptions): UiState {
  return {
    phase: 'connecting', muted: false, offline: options.offline, microphone: options.microphone ?? true,
    link: 'up', pushToTalk: options.pushToTalk, userSpeaking: false, talking: false,
    levelDbfs: -100, assistantAudible: false, responseActive: false,
    answerRequested: false, turnAwaitingAnswer: false, serverTurns: DEFAULT_TURN_ANSWERS, tokensIn: 0, tokensOut: 0, showHelp: false,
    ...(options.microphone === false ? { typing: '' } : {}),
    ...(options.billedBy === 'session-time' ? { sessionSeconds: 0 } : {}),
  };
}

function phaseOf(state: UiState): Phase {
  if (state.phase === 'connecting') return 'connecting';
  // Nothing said now reaches anyone, and nothing under way on the old connection goes on: whatever else is true waits for the connection.
  if (state.link === 'down' && state.reconnectAttempt !== undefined) return 'reconnecting';
  if (state.link !== 'up') return 'disconnected';
  if (state.userSpeaking || state.talking) return 'user-speaking';
  if (state.assistantAudible) return 'assistant-speaking';
  // Thinking only while an answer is really under way or coming: a commit nobody answers is not one.
  if (state.responseActive || state.answerRequested || state.turnAwaitingAnswer) return 'thinking';
  return state.muted ? 'muted' : 'listening';
}

function onServer(state: UiState, event: ServerEvent): UiState {
  switch (event.type) {
    case 'session.created':
    case 'session.updated':
      return { ...state, serverTurns: turnAnswersOf(event) ?? state.serverTurns };
    case 'input_audio_buffer.speech_started':
      // The user goes on talking: whatever answer the last turn was to get, the turn is not over.
      return withPhase({ ...state, userSpeaking: true, turnAwaitingAnswer: false });
    case 'input_audio_buffer.speech_stopped':
      return withPhase({ ...state, userSpeaking: false, turnAwaitingAnswer: serverAnswersTurnNow(state) });
    case 'input_audio_buffer.committed':
      // A commit alone (kaiwa's, or anyone's with turn detection off) is answered only when asked for: answerRequested says so.
      return withPhase({ ...state, userSpeaking: false });
    case 'response.created':
      return withPhase({ ...state, responseActive: true, turnAwaitingAnswer: false });
    case 'response.done':
      return withPhase({ ...state, responseActive: false });
    default:
      return state;
  }
}

/**
 * A turn the server's VAD closes now gets an answer: if the server answers turns at all,
 * and no answer is under way that the user's speech did not cut off (with interrupt_response
 * off the server lets the reply finish and answers nothing more).
 */
function serverAnswersTurnNow(state: UiState): boolean {
  return state.serverTurns.answers && (!state.responseActive || state.serverTurns.interrupts);
}

function withPhase(state: UiState): UiState {
  return { ...state, phase: phaseOf(state) };
}

export const METER_CELLS = 10;

/** How many of the level meter's cells a level fills: -60 dBFS (quiet room) none, 0 dBFS (clipping) all. */
export function meterCells(dbfs: number): number {
  return Math.round(Math.min(Math.max((dbfs + 60) / 60, 0), 1) * METER_CELLS);
}

/**
 * Pure: the status line's state after one thing happened. A level the meter shows as it
 * already does leaves the state as it is (the same object): the microphone reports one
 * with every chunk, and nothing need be drawn for it.
 */
export function reduceUi(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'server': return onServer(state, action.event);
    case 'level': return meterCells(action.dbfs) === meterCells(state.levelDbfs) ? state : { ...state, levelDbfs: action.dbfs };
    case 'audible': return withPhase({ ...state, assistantAudible: action.audible });
    case 'mute': return withPhase({ ...state, muted: action.muted });
    case 'talking': return withPhase({ ...state, talking: action.talking });
    case 'answer-requested': return withPhase({ ...state, answerRequested: action.pending });
    case 'typing': return action.text === undefined ? withoutTyping(state) : { ...state, typing: action.text };
    case 'help': return { ...state, showHelp: action.show };
    case 'usage': return { ...state, tokensIn: action.tokensIn, tokensOut: action.tokensOut, ...(action.costUsd !== undefined ? { costUsd: action.costUsd } : {}) };
    case 'session-time': return { ...state, sessionSeconds: action.seconds, ...(action.costUsd !== undefined ? { costUsd: action.costUsd } : {}) };
    case 'notice': return action.text === undefined ? withoutNotice(state) : { ...state, notice: action.text };
    case 'connected': return withPhase({ ...withoutAttempt(state), link: 'up', phase: 'listening' });
    // No response.done or speech_stopped will come for them; an answer asked for again says so itself (answer-requested).
    // A new connection lost before its session began is the same recovery: its attempt stays.
    case 'connection-lost': return withPhase({ ...state, link: state.link === 'gone' ? 'gone' : 'down', responseActive: false, userSpeaking: false, turnAwaitingAnswer: false });
    case 'reconnecting': return state.link === 'gone' ? state : withPhase({ ...state, link: 'down', reconnectAttempt: action.attempt });
    case 'connection-ended': return withPhase({ ...withoutAttempt(state), link: 'gone' });
  }
}

function withoutTyping(state: UiState): UiState {
  if (!state.microphone) return state.typing === '' ? state : { ...state, typing: '' };
  const { typing: _typing, ...rest } = state;
  return rest;
}

function withoutAttempt(state: UiState): UiState {
  const { reconnectAttempt: _attempt, ...rest } = state;
  return rest;
}

function withoutNotice(state: UiState): UiState {
  const { notice: _notice, ...rest } = state;
  return rest;
}
