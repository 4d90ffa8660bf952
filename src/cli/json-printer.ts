import type { ServerEvent } from '../protocol/events.js';

function describeAudio(base64: string): string {
  return `[audio ${Math.floor((base64.length * 3) / 4)} bytes elided]`;
}

/** Audio payloads would drown the log and mean nothing as text: only their size is kept. */
export function eventToJsonLine(event: ServerEvent): string {
  const isAudioDelta = event.type === 'response.output_audio.delta';
  return JSON.stringify(event, (key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (key === 'audio' || (isAudioDelta && key === 'delta')) return describeAudio(value);
    return value;
  });
}
