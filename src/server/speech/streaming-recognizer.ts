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

export interface LiveUtterance {
  write(pcm: Buffer): void;
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
