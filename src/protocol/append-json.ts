import type { WireEvent } from './events.js';

const APPEND_KEYS = ['type', 'audio', 'event_id'] as const;

/**
 * The JSON text of an `input_audio_buffer.append`, written around its base64 instead of
 * by JSON.stringify, which checks every character of a string for something to escape:
 * appends are most of what a client sends (tens of KB of base64 a second), and base64
 * has nothing to escape. The text is exactly what JSON.stringify(wire) gives.
 *
 * Returns undefined unless `wire` is `{ type: 'input_audio_buffer.append', audio, event_id }`
 * in that order, with `audio` the very base64 string the caller encoded (only then is it
 * known to need no escaping); the caller stringifies anything else as usual.
 */
export function appendJson(wire: WireEvent, base64: string): string | undefined {
  if (wire.type !== 'input_audio_buffer.append' || wire.audio !== base64 || typeof wire.event_id !== 'string') return undefined;
  let index = 0;
  for (const key in wire) {
    if (key !== APPEND_KEYS[index]) return undefined;
    index += 1;
  }
  if (index !== APPEND_KEYS.length) return undefined;
  return `{"type":"input_audio_buffer.append","audio":"${base64}","event_id":${JSON.stringify(wire.event_id)}}`;
}
