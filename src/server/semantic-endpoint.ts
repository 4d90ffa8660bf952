/**
 * semantic_vad's early end of turn: at a pause, the streaming recognizer's words so far
 * are judged (turn-completion.ts); when they sound finished, the turn ends once the
 * silence has lasted `settleMs` instead of eagerness's whole window. Time is audio time
 * (session ms), which moves on with every append.
 */
import { soundsFinished } from './turn-completion.js';

interface Pause {
  speechEndMs: number;
  finished: boolean | undefined;
}

export class SemanticEndpoint {
  private pause: Pause | undefined;

  constructor(
    private readonly settleMs: number,
    private readonly audioNowMs: () => number,
    private readonly endTurn: () => void,
  ) {}

  paused(speechEndMs: number, words: Promise<string>): void {
    const pause: Pause = { speechEndMs, finished: undefined };
    this.pause = pause;
    void words.then(soundsFinished, () => false).then((finished) => {
      if (this.pause !== pause) return;
      pause.finished = finished;
      this.check();
    });
  }

  /** The speaker went on (or the turn ended otherwise): the judgment no longer applies. */
  cancel(): void {
    this.pause = undefined;
  }

  /** Ends the turn if its words sound finished and the silence has settled. */
  check(): void {
    const pause = this.pause;
    if (!pause?.finished || this.audioNowMs() < pause.speechEndMs + this.settleMs) return;
    this.pause = undefined;
    this.endTurn();
  }
}
