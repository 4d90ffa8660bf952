/** What the watch needs from the canceller, once per chunk. */
export interface CancellerHealth {
  /** The far end can be heard in the room now. */
  farEndActive: boolean;
  /** Echo stands above the microphone's noise (and nobody talks over it): something to cancel. */
  echoAudible: boolean;
  /** The echo reaching the server is measured down enough. */
  holding: boolean;
}

export interface EchoHoldWatchOptions {
  /** Audible echo not held down this long while the assistant speaks: half-duplex. */
  failAfterMs?: number;
  /** Held down this long during a reply: full duplex again once it ends. */
  trustAfterMs?: number;
}

/**
 * A guard that checks itself. While the assistant speaks, the echo canceller either
 * holds the echo down or it does not (a path longer than it can search, a speaker that
 * distorts, a device that changed). Echo that goes unheld for more than a second makes
 * the microphone half-duplex for the rest of that reply; once a reply ends with the
 * canceller holding again (it keeps learning while the microphone is closed), full duplex
 * comes back.
 */
export class EchoHoldWatch {
  private halfDuplexNow = false;
  private failingMs = 0;
  private holdingMs = 0;
  private readonly failAfterMs: number;
  private readonly trustAfterMs: number;

  constructor(options: EchoHoldWatchOptions = {}) {
    this.failAfterMs = options.failAfterMs ?? 1000;
    this.trustAfterMs = options.trustAfterMs ?? 500;
  }

  get halfDuplex(): boolean {
    return this.halfDuplexNow;
  }

  /** One chunk of `ms` was processed; returns the change it caused, if any. */
  update(ms: number, assistantSpeaking: boolean, health: CancellerHealth): 'half-duplex' | 'full-duplex' | undefined {
    if (!assistantSpeaking) return this.replyOver();
    if (!health.farEndActive) return undefined;
    if (health.holding) {
      this.failingMs = 0;
      this.holdingMs += ms;
      return undefined;
    }
    if (!health.echoAudible) return undefined;
    this.holdingMs = 0;
    this.failingMs += ms;
    if (this.halfDuplexNow || this.failingMs <= this.failAfterMs) return undefined;
    this.halfDuplexNow = true;
    return 'half-duplex';
  }

  private replyOver(): 'full-duplex' | undefined {
    this.failingMs = 0;
    if (!this.halfDuplexNow || this.holdingMs < this.trustAfterMs) return undefined;
    this.halfDuplexNow = false;
    this.holdingMs = 0;
    return 'full-duplex';
  }
}
