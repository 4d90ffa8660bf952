/**
 * Turns per-frame speech decisions into start/stop boundaries: speech must add up to
 * minSpeechMs before it counts (clicks don't), and stops only after silenceDurationMs
 * without any speech frame. Boundaries carry where the speech frames really began and
 * ended, even though a stop can only be known silenceDurationMs later.
 */
import type { SpeechBoundary } from './speech-detector.js';

export interface SegmenterOptions {
  silenceDurationMs: number;
  minSpeechMs: number;
  /** See SpeechDetectorOptions.pauseAfterMs; no pauses when unset or not shorter than the silence. */
  pauseAfterMs?: number;
}

/**
 * A gap this long ends a not-yet-confirmed burst, so a click a moment before a word
 * does not pull the word's start back to the click. Plosive closures inside a word
 * are shorter.
 */
const CANDIDATE_GAP_MS = 100;

export class SpeechSegmenter {
  private inSpeech = false;
  private candidateStartMs: number | undefined;
  private lastSpeechEndMs = 0;
  private paused = false;

  constructor(private readonly options: SegmenterOptions) {}

  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Feeds one frame [startMs, endMs); returns the boundary it completes, if any. */
  frame(isSpeech: boolean, startMs: number, endMs: number): SpeechBoundary | undefined {
    return isSpeech ? this.speechFrame(startMs, endMs) : this.silentFrame(endMs);
  }

  reset(): void {
    this.inSpeech = false;
    this.paused = false;
    this.candidateStartMs = undefined;
  }

  private speechFrame(startMs: number, endMs: number): SpeechBoundary | undefined {
    this.lastSpeechEndMs = endMs;
    if (this.inSpeech) {
      if (!this.paused) return undefined;
      this.paused = false;
      return { type: 'resume', audioMs: startMs };
    }
    this.candidateStartMs ??= startMs;
    if (endMs - this.candidateStartMs < this.options.minSpeechMs) return undefined;
    const audioMs = this.candidateStartMs;
    this.inSpeech = true;
    this.candidateStartMs = undefined;
    return { type: 'start', audioMs };
  }

  private silentFrame(endMs: number): SpeechBoundary | undefined {
    const silentMs = endMs - this.lastSpeechEndMs;
    if (!this.inSpeech) {
      if (silentMs >= Math.min(CANDIDATE_GAP_MS, this.options.silenceDurationMs)) this.candidateStartMs = undefined;
      return undefined;
    }
    if (silentMs >= this.options.silenceDurationMs) {
      this.inSpeech = false;
      this.paused = false;
      return { type: 'stop', audioMs: this.lastSpeechEndMs };
    }
    const pauseAfterMs = this.options.pauseAfterMs;
    if (this.paused || pauseAfterMs === undefined || silentMs < pauseAfterMs) return undefined;
    this.paused = true;
    return { type: 'pause', audioMs: this.lastSpeechEndMs };
  }
}
