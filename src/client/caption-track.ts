/** A caption whose transcript is final: the `.completed` text, or a failure. */
export interface FinishedCaption {
  itemId: string;
  transcript: string;
  /** Why this turn has no transcript (`…transcription.failed`). */
  failure?: string;
}

interface Entry {
  itemId: string;
  partial: string;
  finished?: FinishedCaption;
}

/**
 * The captions of a transcription session in the order their turns were committed.
 * Deltas are a preview only: the `.completed` transcript replaces them whatever they
 * said (they need not add up to it). A turn that finishes early waits for the ones
 * before it, so lines are always handed out in the order they were spoken.
 */
export class CaptionTrack {
  private readonly entries: Entry[] = [];
  /** Turns already handed out: a late delta or repeat must not open them again. */
  private readonly handedOut = new Set<string>();

  committed(itemId: string): void {
    this.entry(itemId);
  }

  delta(itemId: string, text: string): void {
    const entry = this.entry(itemId);
    if (entry && !entry.finished) entry.partial += text;
  }

  completed(itemId: string, transcript: string): void {
    const entry = this.entry(itemId);
    if (entry) entry.finished = { itemId, transcript: transcript.trim() };
  }

  failed(itemId: string, reason: string): void {
    const entry = this.entry(itemId);
    if (entry && !entry.finished) entry.finished = { itemId, transcript: '', failure: reason };
  }

  /** Turns that can no longer get their transcript (their session is gone) end as failures, in their place. */
  abandonUnsettled(reason: string): number {
    const open = this.entries.filter((entry) => !entry.finished);
    for (const entry of open) entry.finished = { itemId: entry.itemId, transcript: '', failure: reason };
    return open.length;
  }

  /** Removes and returns the finished captions at the head, in commit order. */
  takeFinished(): FinishedCaption[] {
    const done: FinishedCaption[] = [];
    while (this.entries[0]?.finished) {
      const entry = this.entries.shift()!;
      this.handedOut.add(entry.itemId);
      done.push(entry.finished!);
    }
    return done;
  }

  /** What is being recognized and not yet final, in order (finished turns waiting their turn included). */
  get partial(): string {
    return this.entries
      .map((entry) => (entry.finished ? entry.finished.transcript : entry.partial).trim())
      .filter(Boolean)
      .join(' ');
  }

  /** Turns committed whose transcript has not arrived. */
  get unsettled(): number {
    return this.entries.filter((entry) => !entry.finished).length;
  }

  private entry(itemId: string): Entry | undefined {
    if (this.handedOut.has(itemId)) return undefined;
    let entry = this.entries.find((candidate) => candidate.itemId === itemId);
    if (!entry) {
      entry = { itemId, partial: '' };
      this.entries.push(entry);
    }
    return entry;
  }
}
