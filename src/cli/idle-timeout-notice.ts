import type { ServerEventOf } from '../protocol/events.js';

/**
 * `input_audio_buffer.timeout_triggered`: server VAD heard nothing for the session's
 * `idle_timeout_ms` after the assistant finished, and the service now answers by itself
 * (usually asking whether you are still there). One line says why it speaks unasked.
 */
export function idleTimeoutNotice(event: ServerEventOf<'input_audio_buffer.timeout_triggered'>): string {
  const seconds = Math.max(0, event.audio_end_ms - event.audio_start_ms) / 1000;
  return `no speech for ${seconds.toFixed(1)} s (--idle-timeout-ms): the assistant will prompt you`;
}
