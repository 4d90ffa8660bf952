/** What a `--record DIR` directory holds; the recorder writes these and `kaiwa replay` reads them. */
export const CONVERSATION_WAV = 'conversation.wav';
export const TRANSCRIPT_MD = 'transcript.md';
export const EVENTS_JSONL = 'events.jsonl';

/** `meta` records are the recorder's own notes (start, interruptions), not protocol events. */
export type Direction = 'client' | 'server' | 'meta';

export type RecordedEvent = { type: string; [key: string]: unknown };

/** One line of events.jsonl. `t` is ms since the recording started, on the same clock as the WAV. */
export interface EventRecord {
  t: number;
  dir: Direction;
  event: RecordedEvent;
}

/**
 * Stands in for a base64 audio payload: its decoded size, and where that audio starts in
 * conversation.wav (null when it is not there: dropped after an interruption, or audio
 * that is not part of the live conversation, such as a retrieved item).
 */
export interface AudioPlaceholder {
  bytes: number;
  wavOffsetMs: number | null;
}

export const META_RECORDING_STARTED = 'kaiwa.recording_started';
export const META_ASSISTANT_INTERRUPTED = 'kaiwa.assistant_interrupted';
/**
 * In a recording of the wire: one of kaiwa's own events that no frame carried (the edge
 * answered it itself, such as a truncation GPT-Live has no command for), under `event`.
 */
export const META_LOCAL_EVENT = 'kaiwa.local_event';
/** Written by close(): its `t` is the length of the recording. */
export const META_RECORDING_STOPPED = 'kaiwa.recording_stopped';
