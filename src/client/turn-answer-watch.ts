import type { RealtimeSession } from './session.js';
import type { ServerEvent } from '../protocol/events.js';
import { AnswerOverdueWatch } from './answer-overdue-watch.js';
import { DEFAULT_TURN_ANSWERS, turnAnswersOf, type ServerTurnAnswers } from './server-turn-answers.js';

/**
 * Whether the server owes the answer to a turn of the user's that its own turn detection
 * closed: the turn is over (speech_stopped), the server answers turns by itself, and no answer
 * under way keeps it from answering this one (with interrupt_response off the server lets the
 * reply finish and answers nothing more). Owed until a response of the conversation begins.
 *
 * Nothing else knows of it: kaiwa asked for nothing (its requests do not cover it), and until
 * response.created no response is under way. A run whose input has ended waits for it; a server
 * that has not begun it after as long as a request of kaiwa's may go unanswered is reported
 * (`onOverdue`), as that request would be.
 */
export class TurnAnswerWatch {
  private answers: ServerTurnAnswers = DEFAULT_TURN_ANSWERS;
  private turnOwed = false;
  private readonly overdue: AnswerOverdueWatch;

  constructor(private readonly session: RealtimeSession, onOverdue: (waitedMs: number) => void) {
    this.overdue = new AnswerOverdueWatch(onOverdue);
    session.on('server-event', (event) => this.onServerEvent(event));
    // The connection that owed it is gone: nothing more will come of it there.
    session.on('close', () => this.settle());
  }

  /** The server closed a turn of the user's it will answer, and its answer has not begun. */
  get owed(): boolean {
    return this.turnOwed;
  }

  /** Nothing is waited for any more (the run is over). */
  stop(): void {
    this.settle();
  }

  private onServerEvent(event: ServerEvent): void {
    switch (event.type) {
      case 'session.created':
      case 'session.updated':
        this.answers = turnAnswersOf(event) ?? this.answers;
        return;
      case 'input_audio_buffer.speech_started':
        // The user goes on talking: the turn is not over yet.
        return this.settle();
      case 'response.created':
        // Any response in the conversation answers what the user said so far (out of band: none does).
        if (event.response.conversation_id !== null) this.settle();
        return;
      case 'input_audio_buffer.speech_stopped':
        if (!this.answers.answers || (this.session.state.activeResponseId !== undefined && !this.answers.interrupts)) return;
        this.turnOwed = true;
        this.overdue.requested();
        return;
      default:
    }
  }

  private settle(): void {
    this.turnOwed = false;
    this.overdue.settled();
  }
}
