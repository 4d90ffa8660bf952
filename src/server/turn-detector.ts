/**
 * Server-side turn detection: runs the speech detector over appended audio and reports
 * turns in session time (ms since the session's first audio), with the API's padding:
 * a turn starts `prefix_padding_ms` before the detected speech and ends once
 * `silence_duration_ms` of silence followed it.
 *
 * `semantic_vad` listens to the words as well (AudioInput, with the streaming recognizer):
 * when the words so far sound finished the turn ends after a short settling silence —
 * high 150 ms, medium and auto 250 ms, low 600 ms — and otherwise (a trailing "and…", or no
 * words known) after the silence its eagerness allows: low 1500 ms, medium and auto 800 ms,
 * high 400 ms. Threshold 0.5, 300 ms padding.
 */
import type { SpeechDetector, SpeechDetectorOptions } from './speech/speech-detector.js';
import type { Eagerness, TurnDetectionConfig } from './session-state.js';

export type TurnEvent =
  | { type: 'started'; audioStartMs: number }
  /** Speech fell silent, though not yet for long enough to end the turn. */
  | { type: 'paused'; speechEndMs: number }
  | { type: 'resumed' }
  | { type: 'stopped'; audioStartMs: number; audioEndMs: number };

export interface TurnSettings {
  threshold: number;
  prefixPaddingMs: number;
  silenceDurationMs: number;
  createResponse: boolean;
  interruptResponse: boolean;
  /** When a silence counts as a pause (see TurnEvent 'paused'); none when not shorter than the silence. */
  pauseAfterMs: number | undefined;
  /** semantic_vad: the silence that ends a turn whose words sound finished. */
  settleMs?: number;
}

const SEMANTIC_SILENCE_MS: Record<Eagerness, number> = { low: 1500, medium: 800, auto: 800, high: 400 };
const SEMANTIC_SETTLE_MS: Record<Eagerness, number> = { low: 600, medium: 250, auto: 250, high: 150 };
/** semantic_vad needs the words early: the recognizer takes about 150 ms for the last segment. */
const SEMANTIC_PAUSE_MS = 100;
/**
 * When to call a silence a pause (see TurnEvent 'paused'): early enough that the
 * recognizer's last segment (about 150 ms, 400 ms for a long one) is done when the
 * window closes, late enough not to cut at every gap between words.
 */
const PAUSE_LEAD_MS = 300;
const MIN_PAUSE_MS = 80;

function pauseAfterMs(silenceDurationMs: number): number | undefined {
  const pauseMs = Math.max(MIN_PAUSE_MS, silenceDurationMs - PAUSE_LEAD_MS);
  return pauseMs < silenceDurationMs ? pauseMs : undefined;
}

export function turnSettings(config: TurnDetectionConfig): TurnSettings {
  if (config.type === 'semantic_vad') {
    return {
      threshold: 0.5, prefixPaddingMs: 300, silenceDurationMs: SEMANTIC_SILENCE_MS[config.eagerness],
      createResponse: config.create_response, interruptResponse: config.interrupt_response,
      pauseAfterMs: SEMANTIC_PAUSE_MS, settleMs: SEMANTIC_SETTLE_MS[config.eagerness],
    };
  }
  return {
    threshold: config.threshold, prefixPaddingMs: config.prefix_padding_ms, silenceDurationMs: config.silence_duration_ms,
    createResponse: config.create_response, interruptResponse: config.interrupt_response,
    pauseAfterMs: pauseAfterMs(config.silence_duration_ms),
  };
}

export class TurnDetector {
  private readonly detector: SpeechDetector;
  private startMs: number | undefined;

  /** `baseMs`: session time of the first sample this detector will see. */
  constructor(
    readonly settings: TurnSettings,
    sampleRate: number,
    private readonly baseMs: number,
    create: (options: SpeechDetectorOptions) => SpeechDetector,
  ) {
    const pauseMs = settings.pauseAfterMs;
    this.detector = create({
      sampleRate, threshold: settings.threshold, silenceDurationMs: settings.silenceDurationMs,
      ...(pauseMs === undefined ? {} : { pauseAfterMs: pauseMs }),
    });
  }

  get speaking(): boolean {
    return this.startMs !== undefined;
  }

  push(pcm: Buffer): TurnEvent[] {
    const events: TurnEvent[] = [];
    for (const boundary of this.detector.push(pcm)) {
      const at = this.baseMs + boundary.audioMs;
      if (boundary.type === 'start' && this.startMs === undefined) {
        this.startMs = Math.max(0, Math.round(at - this.settings.prefixPaddingMs));
        events.push({ type: 'started', audioStartMs: this.startMs });
      } else if (boundary.type === 'stop' && this.startMs !== undefined) {
        events.push({ type: 'stopped', audioStartMs: this.startMs, audioEndMs: Math.round(at + this.settings.silenceDurationMs) });
        this.startMs = undefined;
      } else if ((boundary.type === 'pause' || boundary.type === 'resume') && this.startMs !== undefined) {
        events.push(boundary.type === 'pause' ? { type: 'paused', speechEndMs: at } : { type: 'resumed' });
      }
    }
    return events;
  }

  /** Ends the turn in progress now (its words sound finished); where it started, with padding. */
  endNow(): number | undefined {
    const startMs = this.startMs;
    this.reset();
    return startMs;
  }

  /** After a manual commit or clear: speech in progress no longer belongs to a turn. */
  reset(): void {
    this.detector.reset();
    this.startMs = undefined;
  }
}
