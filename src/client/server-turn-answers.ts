import type { ServerEvent } from '../protocol/events.js';

/** What the server does with a turn of the user's its own turn detection closes. */
export interface ServerTurnAnswers {
  /** It asks for the answer itself (turn detection on, `create_response` not false). */
  readonly answers: boolean;
  /** The user's speech cuts off the answer under way (`interrupt_response` not false), so a turn closed during one is answered next. */
  readonly interrupts: boolean;
}

/** The service's default session: server VAD that answers each turn and lets speech interrupt. */
export const DEFAULT_TURN_ANSWERS: ServerTurnAnswers = Object.freeze({ answers: true, interrupts: true });

type SessionEvent = Extract<ServerEvent, { type: 'session.created' | 'session.updated' }>;

/**
 * Read from the session the server says it runs (not the one kaiwa asked for): a turn is
 * "being answered" on the screen only if the server will really answer it. Undefined when
 * the session does not say.
 */
export function turnAnswersOf(event: SessionEvent): ServerTurnAnswers | undefined {
  const session = event.session as { audio?: { input?: { turn_detection?: { create_response?: boolean; interrupt_response?: boolean } | null } } };
  const detection = session.audio?.input?.turn_detection;
  // A session that does not say (a dialect without it) leaves what was known as it was.
  if (detection === undefined) return undefined;
  if (detection === null) return { answers: false, interrupts: false };
  return { answers: detection.create_response !== false, interrupts: detection.interrupt_response !== false };
}
