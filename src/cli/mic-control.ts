import type { RealtimeSession } from '../client/session.js';
import { MicGate } from '../client/mic-gate.js';
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
  /** Stops the assistant's voice and the response (barge-in), or only the response without a speaker. */
  interrupt: () => void;
  /** Sends what the bridge still holds, before a push-to-talk commit. */
  flushCapture: () => void;
}

/**
 * Who decides whether the microphone is heard: the user (mute, push-to-talk), the
 * half-duplex echo guard, and the loop detector, the last line of defence in every mode.
 */
export class MicControl {
  readonly gate: MicGate;
  private readonly pushToTalk: PushToTalk;
  private readonly loopDetector = new LoopDetector();
  private loopWarned = false;

  constructor(private readonly parts: MicControlParts) {
    this.gate = new MicGate(parts.pushToTalk, parts.halfDuplex);
    this.pushToTalk = new PushToTalk(parts.session, this.gate);
  }

  /** The assistant heard answering itself: pause the microphone and stop the answer. */
  checkForLoop(event: ServerEvent): void {
    if (!this.loopDetector.observe(event) || this.gate.pausedForLoop) return;
    const { session, ui, logger } = this.parts;
    this.gate.pausedForLoop = true;
    session.clearAudio();
    if (session.responseInFlight) this.parts.interrupt();
    ui?.dispatch({ type: 'mute', muted: true });
    ui?.dispatch({ type: 'notice', text: 'feedback loop: mic paused (Space resumes)' });
    if (this.loopWarned) return;
    this.loopWarned = true;
    logger.log('warn', 'the microphone is hearing the assistant (a feedback loop that costs tokens): microphone paused. '
      + `Use headphones or --echo-guard aec${ui ? ', then press Space to resume' : ''}.`);
  }

  toggleMute(): void {
    const { ui } = this.parts;
    if (this.gate.pausedForLoop) {
      this.gate.pausedForLoop = false;
      this.gate.muted = false;
      ui?.dispatch({ type: 'notice', text: undefined });
      ui?.dispatch({ type: 'mute', muted: false });
      return;
    }
    this.gate.muted = !this.gate.muted;
    ui?.dispatch({ type: 'mute', muted: this.gate.muted });
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
