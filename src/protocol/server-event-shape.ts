import type { ServerEventType, WireEvent } from './events.js';

type FieldKind = 'string' | 'number' | 'object' | 'string?';

/**
 * Fields kaiwa reads from each server event, with their JSON kinds. A peer that sends one
 * of these events without them is misbehaving; the event is dropped and logged instead
 * of letting `undefined` flow into audio buffers or transcripts.
 */
const REQUIRED_FIELDS: Partial<Record<ServerEventType, Record<string, FieldKind>>> = {
  'session.created': { session: 'object' },
  'session.updated': { session: 'object' },
  'error': { error: 'object' },
  'conversation.item.added': { item: 'object' },
  'conversation.item.created': { item: 'object' },
  'conversation.item.done': { item: 'object' },
  'conversation.item.deleted': { item_id: 'string' },
  'conversation.item.truncated': { item_id: 'string', audio_end_ms: 'number' },
  'conversation.item.input_audio_transcription.delta': { item_id: 'string', delta: 'string?' },
  'conversation.item.input_audio_transcription.completed': { item_id: 'string', transcript: 'string' },
  'conversation.item.input_audio_transcription.failed': { item_id: 'string' },
  'input_audio_buffer.speech_started': { item_id: 'string', audio_start_ms: 'number' },
  'input_audio_buffer.speech_stopped': { item_id: 'string', audio_end_ms: 'number' },
  'input_audio_buffer.committed': { item_id: 'string' },
  'response.created': { response: 'object' },
  'response.done': { response: 'object' },
  'response.output_item.added': { item: 'object', response_id: 'string' },
  'response.output_item.done': { item: 'object', response_id: 'string' },
  'response.output_audio.delta': { item_id: 'string', delta: 'string', response_id: 'string' },
  'response.output_audio_transcript.delta': { item_id: 'string', delta: 'string' },
  'response.output_audio_transcript.done': { item_id: 'string', transcript: 'string' },
  'response.output_text.delta': { item_id: 'string', delta: 'string' },
  'response.output_text.done': { item_id: 'string', text: 'string' },
  'response.function_call_arguments.done': { item_id: 'string', call_id: 'string', name: 'string', arguments: 'string' },
};

function hasKind(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'string': return typeof value === 'string';
    case 'string?': return value === undefined || typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** Returns what is wrong with a (GA-shaped) server event, or undefined when kaiwa can use it. */
export function problemWithServerEvent(event: WireEvent): string | undefined {
  const fields = REQUIRED_FIELD_LISTS.get(event.type);
  if (!fields) return undefined;
  for (const [name, kind] of fields) {
    if (!hasKind(event[name], kind)) return `${event.type} without a valid ${name}`;
  }
  return problemInside(event);
}

const isObject = (value: unknown): value is Record<string, unknown> => hasKind(value, 'object');
const isListOfObjects = (value: unknown): boolean => Array.isArray(value) && value.every(isObject);

/**
 * The lists kaiwa walks inside a response or an item: a response's output items (absent before
 * it has any) and a message's content parts. Anything else there would throw in whoever reads
 * it, ending the session over one bad event.
 */
function problemInside(event: WireEvent): string | undefined {
  const { response, item } = event;
  if (isObject(response)) {
    if (response.output !== undefined && !isListOfObjects(response.output)) return `${event.type} with a response whose output is not a list of items`;
    if (response.usage != null && !isObject(response.usage)) return `${event.type} with a response whose usage is not an object`;
  }
  if (isObject(item) && item.type === 'message' && !isListOfObjects(item.content)) return `${event.type} with a message item whose content is not a list of parts`;
  return undefined;
}

/** REQUIRED_FIELDS as lists made once, not per event (every audio delta is checked). */
const REQUIRED_FIELD_LISTS = new Map<string, ReadonlyArray<readonly [string, FieldKind]>>(
  Object.entries(REQUIRED_FIELDS).map(([type, fields]) => [type, Object.entries(fields)]),
);

export function isKnownServerEventType(type: string): boolean {
  return KNOWN_SERVER_EVENT_TYPES.has(type);
}

const KNOWN_SERVER_EVENT_TYPES = new Set<string>([
  ...Object.keys(REQUIRED_FIELDS),
  'conversation.created', 'conversation.item.retrieved', 'conversation.item.input_audio_transcription.segment',
  'input_audio_buffer.cleared', 'input_audio_buffer.timeout_triggered', 'input_audio_buffer.dtmf_event_received',
  'output_audio_buffer.started', 'output_audio_buffer.stopped', 'output_audio_buffer.cleared',
  'rate_limits.updated', 'response.content_part.added', 'response.content_part.done',
  'response.output_audio.done', 'response.function_call_arguments.delta',
  'mcp_list_tools.in_progress', 'mcp_list_tools.completed', 'mcp_list_tools.failed',
  'response.mcp_call_arguments.delta', 'response.mcp_call_arguments.done',
  'response.mcp_call.in_progress', 'response.mcp_call.completed', 'response.mcp_call.failed',
  'session.closed',
]);
