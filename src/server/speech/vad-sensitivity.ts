/**
 * Maps the Realtime API's server_vad `threshold` (0..1, default 0.5; higher needs
 * louder, clearer speech) onto the two knobs of kaiwa's detector.
 *
 * Measured on espeak-ng speech in white noise: WebRTC modes 2 and 3 clip the first
 * 40-70 ms of words that start with a fricative ("seven", "turn"), while mode 1 alone
 * mistakes noise for speech. An energy margin over the tracked noise floor removes
 * those false alarms without clipping onsets, so the default stays at mode 1 + 3 dB and
 * the threshold mostly moves the margin.
 */
import type { VadMode } from './webrtc-vad.js';

export interface VadSensitivity {
  mode: VadMode;
  /** How far above the noise floor a frame must be to count as speech. */
  marginDb: number;
  /** Frames quieter than this are never speech (below any microphone's speech level). */
  minimumLevelDbfs: number;
}

export const DEFAULT_VAD_THRESHOLD = 0.5;

/** At threshold 1 a frame must stand 6 dB over the noise; at 0, anything the VAD likes passes. */
const MARGIN_DB_AT_FULL_THRESHOLD = 6;

export function vadSensitivity(threshold: number): VadSensitivity {
  const clamped = Number.isFinite(threshold) ? Math.min(1, Math.max(0, threshold)) : DEFAULT_VAD_THRESHOLD;
  return {
    mode: modeFor(clamped),
    marginDb: clamped * MARGIN_DB_AT_FULL_THRESHOLD,
    minimumLevelDbfs: -60 - (1 - clamped) * 10,
  };
}

function modeFor(threshold: number): VadMode {
  if (threshold < 0.25) return 0;
  if (threshold < 0.65) return 1;
  if (threshold < 0.85) return 2;
  return 3;
}
