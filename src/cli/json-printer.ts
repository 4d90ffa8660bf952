import type { ServerEvent } from '../protocol/events.js';

function describeAudio(base64: string): string {
  return `[audio ${Math.floor((base64.length * 3) / 4)} bytes elided]`;
}

/**
 * What JSON.stringify leaves raw that a terminal may obey or reorder by: DEL, the C1
 * controls (U+009B is a CSI on its own) and the bidirectional overrides and isolates.
 * (It escapes the C0 controls, ESC among them, itself.)
 */
const RAW_CONTROL = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escaped(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Audio payloads would drown the log and mean nothing as text: only their size is kept.
 * Characters a terminal could obey are written as JSON escapes, which parse to the same event.
 */
export function eventToJsonLine(event: ServerEvent): string {
  const isAudioDelta = event.type === 'response.output_audio.delta';
  return terminalSafeJson(JSON.stringify(event, (key, value: unknown) => {
    if (typeof value !== 'string') return value;
    if (key === 'audio' || (isAudioDelta && key === 'delta')) return describeAudio(value);
    return value;
  }));
}

/** A line of JSON with what a terminal could obey written as escapes: the same value when parsed. */
export function terminalSafeJson(line: string): string {
  return line.replace(RAW_CONTROL, escaped);
}
