import type { RealtimeSession } from '../client/session.js';
import { MicGate, type GateClosedBy } from '../client/mic-gate.js';
import { PushToTalk } from '../client/push-to-talk.js';
import { LoopDetector } from '../client/loop-detector.js';
import type { ServerEvent } from '../protocol/events.js';
import type { Logger } from '../logger.js';
import type { TerminalUi } from './tui/terminal-ui.js';

export interface MicControlParts {
  session: RealtimeSession;
  logger: Logger;
  ui: TerminalUi | undefined;
  pushToTalk: boolean;
  halfDuplex: { audible: () => boolean; tailMs: number } | undefined;
  /**
   * A live microphone and a speaker: what plays can reach what is captured. Without them
   * (a WAV file as input, no speaker) there is no loop to catch, only a user who repeats
   * words the assistant said (kaiwa serve's echo engine says them all back).
   */
  loopPossible: boolean;
  /** Stops the assistant's voice and the response (barge-in), or only the response without a speaker. */
  interrupt: () => void;
  /** Sends what the bridge still holds, before a push-to-talk commit. */
  flushCapture: () => void;
}

/** With no reply to wait for, a loop pause ends after this long. */
const LOOP_PAUSE_LIMIT_MS = 10_000;

/**
 * Who decides whether the microphone is heard: the user (mute, push-to-talk), the
 * half-duplex echo guard, and the loop detector, the last line of defence in every mode
 * where the speaker can reach the microphone.
 * A loop pause never lasts: it ends with the reply that looped (or a key, or after ten
 * seconds when no reply comes), so a session without a terminal is not left deaf.
 */
export class MicControl {
  readonly gate: MicGate;
  private readonly pushToTalk: PushToTalk;
  private readonly loopDetector = new LoopDetector();
  private loopWarned = false;
  private loopTimer: NodeJS.Timeout | undefined;

  constructor(private readonly parts: MicControlParts) {
    this.gate = new MicGate(parts.pushToTalk, parts.halfDuplex, (closedBy, level) => logGate(parts.logger, closedBy, level));
    this.pushToTalk = new PushToTalk(parts.session, this.gate);
  }

  /**
   * The assistant heard answering itself: pause the microphone and stop the answer (one
   * response.cancel, through the interrupt), until that reply is over.
   */
  checkForLoop(event: ServerEvent): void {
    if (!this.parts.loopPossible) return;
    if (event.type === 'response.done' && this.gate.pausedForLoop && !this.parts.session.responseInFlight) {
      this.resumeAfterLoop('the reply that looped has ended');
      return;
    }
    if (!this.loopDetector.observe(event) || this.gate.pausedForLoop) return;
    const { session, ui, logger } = this.parts;
    this.gate.pausedForLoop = true;
    session.clearAudio();
    if (session.responseInFlight) this.parts.interrupt();
    this.loopTimer = setTimeout(() => this.resumeAfterLoop('no reply came'), LOOP_PAUSE_LIMIT_MS);
    this.loopTimer.unref?.();
    ui?.dispatch({ type: 'mute', muted: true });
    ui?.dispatch({ type: 'notice', text: 'feedback loop: mic paused until the reply ends (Space resumes now)' });
    const advice = this.loopWarned ? '' : ' Use headphones, or --echo-guard half-duplex if it happens again.';
    this.loopWarned = true;
    logger.log('warn', `the microphone is hearing the assistant (a feedback loop that costs tokens): microphone paused until the reply ends${ui ? ' (Space resumes now)' : ''}.${advice}`);
  }

  private resumeAfterLoop(why: string): void {
    if (!this.gate.pausedForLoop) return;
    this.endLoopPause();
    this.parts.logger.log('info', `microphone on again (${why})`);
  }

  private endLoopPause(): void {
    const { ui } = this.parts;
    clearTimeout(this.loopTimer);
    this.loopTimer = undefined;
    this.gate.pausedForLoop = false;
    this.setMuted(false);
    ui?.dispatch({ type: 'notice', text: undefined });
    ui?.dispatch({ type: 'mute', muted: false });
  }

  toggleMute(): void {
    const { ui } = this.parts;
    if (this.gate.pausedForLoop) {
      this.endLoopPause();
      this.parts.logger.log('info', 'microphone on again (resumed by key)');
      return;
    }
    this.setMuted(!this.gate.muted);
    ui?.dispatch({ type: 'mute', muted: this.gate.muted });
  }

  /** Muting closes the gate (no audio goes out) and tells a peer that listens for it. */
  private setMuted(muted: boolean): void {
    if (this.gate.muted === muted) return;
    this.gate.muted = muted;
    this.parts.session.muteInput(muted);
  }

  togglePushToTalk(): void {
    if (this.pushToTalk.talking) this.parts.flushCapture();
    const result = this.pushToTalk.toggle();
    this.parts.ui?.dispatch({ type: 'talking', talking: this.pushToTalk.talking });
    this.parts.ui?.dispatch({ type: 'notice', text: result === 'empty' ? 'nothing recorded' : undefined });
  }

  /** Counts what push-to-talk really sent, so an empty press is not committed. */
  recordSent(ms: number): void {
    this.pushToTalk.recordSent(ms);
  }
}

/** Why the microphone is not heard, in --debug: a user who is not answered can see whether kaiwa sent their voice. */
function logGate(logger: Logger, closedBy: GateClosedBy | undefined, meanSquare: number | undefined): void {
  const level = meanSquare === undefined ? '' : ` (its level ${meanSquare > 0 ? `${Math.round(10 * Math.log10(meanSquare / 32768 ** 2))} dBFS` : 'silence'})`;
  logger.log('debug', closedBy ? `microphone not sent: ${closedBy}${level}` : `microphone sent again${level}`);
}
