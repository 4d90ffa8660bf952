/**
 * Decides, chunk by chunk, whether captured audio may go to the server: not while muted,
 * only while talking in push-to-talk, not while the assistant is audible (plus a tail for
 * room echo) in half-duplex mode, and not while the loop detector has paused the mic.
 */
export class MicGate {
  muted = false;
  talking = false;
  pausedForLoop = false;
  private lastAudibleAt = -Infinity;

  constructor(
    private readonly pushToTalk: boolean,
    private readonly halfDuplex?: { audible: () => boolean; tailMs: number; now?: () => number },
  ) {}

  isOpen(): boolean {
    if (this.muted || this.pausedForLoop) return false;
    if (this.pushToTalk && !this.talking) return false;
    return !this.assistantMayBeHeard();
  }

  private assistantMayBeHeard(): boolean {
    if (!this.halfDuplex) return false;
    const now = (this.halfDuplex.now ?? (() => performance.now()))();
    if (this.halfDuplex.audible()) this.lastAudibleAt = now;
    return now - this.lastAudibleAt < this.halfDuplex.tailMs;
  }
}
