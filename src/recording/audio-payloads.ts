import type { AudioPlaceholder, RecordedEvent } from './recording-files.js';

/** Events that carry one chunk of the live conversation's audio, and the field holding it. */
const LIVE_AUDIO_FIELD: Readonly<Record<string, string>> = {
  'input_audio_buffer.append': 'audio',
  'session.input_audio_buffer.append': 'audio',
  'response.output_audio.delta': 'delta',
  'session.output_audio.delta': 'delta',
};

/** Content parts that may embed audio (an item created with audio, a retrieved item). */
const AUDIO_PART_TYPES = new Set(['input_audio', 'output_audio', 'audio']);

/**
 * A copy of the event with every base64 audio payload (in `audioField`, or where kaiwa's
 * own events carry it) replaced by its size and place in
 * conversation.wav: the audio is in the WAV already, and base64 would make the log
 * mostly unreadable noise.
 */
export function withoutAudio(event: RecordedEvent, liveOffsetMs: number | null, audioField?: string): RecordedEvent {
  const field = audioField ?? LIVE_AUDIO_FIELD[event.type];
  const copy = replaceEmbeddedAudio(event) as RecordedEvent;
  const payload = field ? event[field] : undefined;
  if (field && typeof payload === 'string') copy[field] = placeholder(payload, liveOffsetMs);
  return copy;
}

function replaceEmbeddedAudio(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(replaceEmbeddedAudio);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) copy[key] = replaceEmbeddedAudio(item);
  if (AUDIO_PART_TYPES.has(String(record.type)) && typeof record.audio === 'string') {
    copy.audio = placeholder(record.audio, null);
  }
  return copy;
}

function placeholder(base64: string, wavOffsetMs: number | null): AudioPlaceholder {
  return { bytes: decodedBytes(base64), wavOffsetMs };
}

function decodedBytes(base64: string): number {
  return Buffer.byteLength(base64, 'base64');
}
