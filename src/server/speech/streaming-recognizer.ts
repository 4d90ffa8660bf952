/**
 * Recognition that runs while the user speaks, so a turn's words are ready moments after
 * it ends. The batch Transcriber stays the fallback for everything a live utterance did
 * not cover (manual commits, a recognizer that died mid-turn).
 */
export interface StreamingRecognizer {
  /** Starts recognizing one user turn; audio is mono PCM16 at `sampleRate`. */
  begin(sampleRate: number): LiveUtterance;
  /** Stops the warm recognizer process. */
  close(): void;
}

/** What the recognizer has made of a turn so far, while the user is still speaking. */
export interface HeardSoFar {
  /** The words of the turn's first segments that were decoded in full: they stay as they are. */
  settled: string;
  /** The words after them (the open segment's, and any still being decoded): a first guess that may change. */
  tentative: string;
}

export interface LiveUtterance {
  write(pcm: Buffer): void;
  /**
   * Optional: calls `listener` whenever the turn's words so far change, until the turn is
   * finished or aborted (a listener can tell the user's words while they speak).
   */
  listen?(listener: (heard: HeardSoFar) => void): void;
  /**
   * The speaker fell silent: what was said so far is recognized now, while the turn
   * detector waits out its silence window, in case the turn ends here. Resolves the
   * words of the turn so far (semantic turn detection judges whether they sound finished).
   */
  pause(): Promise<string>;
  /** Speech went on after a pause; it becomes the next segment of the same turn. */
  resume(): void;
  /** The turn is over: the words of all its segments. Rejects when recognition failed. */
  finish(): Promise<string>;
  /** The turn was discarded (cleared, committed by hand, reconfigured). */
  abort(): void;
}
