/**
 * Voice activity detection for the local server's turn detection. Works on mono PCM16
 * at the detector's own sample rate; times are ms of audio since the detector was created.
 */
export interface SpeechDetectorOptions {
  sampleRate: number;
  /** 0..1; higher needs louder/clearer speech (the API's server_vad threshold). */
  threshold: number;
  /** How long silence must last before speech counts as stopped. */
  silenceDurationMs: number;
  /** Speech shorter than this is ignored as a click or noise burst. */
  minSpeechMs?: number;
  /**
   * Report a pause once speech has been silent this long (less than silenceDurationMs),
   * and its resumption: a streaming recognizer finishes its work during the rest of the window.
   */
  pauseAfterMs?: number;
}

export type SpeechBoundary =
  | { type: 'start'; /** where speech really began (no padding added) */ audioMs: number }
  | { type: 'stop'; /** where speech really ended (silence not included) */ audioMs: number }
  | { type: 'pause'; /** where the speech fell silent (noticed pauseAfterMs later) */ audioMs: number }
  | { type: 'resume'; /** where the speech went on */ audioMs: number };

export interface SpeechDetector {
  /** Feeds audio in any chunk size; returns the boundaries found in it, in order. */
  push(pcm: Buffer): SpeechBoundary[];
  /** Forgets any speech in progress (after a manual commit or clear). */
  reset(): void;
  readonly speaking: boolean;
}
