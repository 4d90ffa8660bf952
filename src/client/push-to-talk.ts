import type { RealtimeSession } from './session.js';
import type { MicGate } from './mic-gate.js';

/** Below this the service answers input_audio_buffer_commit_empty; such a press is dropped. */
const MIN_COMMIT_MS = 100;

export type PushResult = 'started' | 'committed' | 'empty';

/**
 * Push-to-talk by toggling (terminals report key presses, never releases): the first press
 * opens the microphone on a fresh buffer, the second commits it and asks for one response.
 */
export class PushToTalk {
  private sentMs = 0;

  constructor(private readonly session: RealtimeSession, private readonly gate: MicGate) {}

  get talking(): boolean {
    return this.gate.talking;
  }

  /** Counts audio the bridge really sent while talking. */
  recordSent(ms: number): void {
    if (this.gate.talking) this.sentMs += ms;
  }

  toggle(): PushResult {
    if (!this.gate.talking) {
      this.session.clearAudio();
      this.sentMs = 0;
      this.gate.talking = true;
      return 'started';
    }
    this.gate.talking = false;
    if (this.sentMs < MIN_COMMIT_MS) return 'empty';
    this.session.commitAudio();
    this.session.createResponse();
    return 'committed';
  }
}
