/**
 * The Live session timeline, in whole milliseconds from the session's start: how much
 * input audio has arrived, and where the assistant's speech stands. Live stamps transcript
 * fragments with `start_ms`/`end_ms` on it (the SDK's grouper refuses fragments without
 * whole-number, ordered times); the GA session inside knows only audio and items.
 */
export class LiveTimeline {
  private inputMs = 0;
  private outputMs = 0;
  private transcriptEndMs = 0;
  /** Each user turn's speech, and where its last transcript fragment ended. */
  private readonly userSpans = new Map<string, { startMs: number; endMs: number; toldMs: number }>();

  constructor(private readonly bytesPerMs: number) {}

  /** Session time so far: the later of what was heard and what was said. */
  get nowMs(): number {
    return Math.round(Math.max(this.inputMs, this.outputMs));
  }

  inputAudio(bytes: number): void {
    this.inputMs += bytes / this.bytesPerMs;
  }

  speechStarted(itemId: string, audioStartMs: number): void {
    const startMs = Math.round(audioStartMs);
    this.userSpans.set(itemId, { startMs, endMs: Math.max(startMs, Math.round(this.inputMs)), toldMs: startMs });
  }

  speechStopped(itemId: string, audioEndMs: number): void {
    const span = this.userSpans.get(itemId);
    if (span) span.endMs = Math.max(span.startMs, Math.round(audioEndMs));
  }

  /**
   * The interval of a user turn's next transcript fragment: from the last one's end to the
   * audio heard so far, or, for the turn's last fragment, to the end of its speech.
   */
  userFragmentSpan(itemId: string, last: boolean): { startMs: number; endMs: number } {
    let span = this.userSpans.get(itemId);
    if (!span) {
      const nowMs = Math.round(this.inputMs);
      span = { startMs: nowMs, endMs: nowMs, toldMs: nowMs };
      this.userSpans.set(itemId, span);
    }
    const startMs = span.toldMs;
    const endMs = Math.max(startMs, last ? span.endMs : Math.round(this.inputMs));
    span.toldMs = endMs;
    return { startMs, endMs };
  }

  forgetUser(itemId: string): void {
    this.userSpans.delete(itemId);
  }

  /** A reply begins: the assistant speaks from now on, after anything it said before. */
  replyStarted(): void {
    this.outputMs = Math.max(this.outputMs, this.inputMs);
    this.transcriptEndMs = Math.max(this.transcriptEndMs, Math.round(this.outputMs));
  }

  outputAudio(bytes: number): void {
    this.outputMs += bytes / this.bytesPerMs;
  }

  /** The interval of the next assistant transcript fragment: from the last one's end to the audio said so far. */
  outputTranscriptSpan(): { startMs: number; endMs: number } {
    const startMs = this.transcriptEndMs;
    const endMs = Math.max(startMs, Math.round(this.outputMs));
    this.transcriptEndMs = endMs;
    return { startMs, endMs };
  }

  /** Cumulative session seconds, as Live's usage reports them. */
  get seconds(): number {
    return Math.round(this.nowMs / 100) / 10;
  }
}
