import type { ServerEvent, SessionResource, SessionUsage, Error as LiveError } from 'openai/resources/live/live';

/**
 * Checks server events against the official SDK's Live ServerEvent union: the type must be
 * one of the union's, with every field the SDK declares required. The table is checked by
 * the compiler in both directions (a listed field that is optional, or a required field left
 * out, fails to compile), so an SDK update that changes the union shows up here.
 */
type LiveType = NonNullable<ServerEvent['type']>;
type Of<T extends LiveType> = Extract<ServerEvent, { type?: T }>;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];

const REQUIRED = {
  'session.started': ['event_id', 'session', 'type'],
  'session.updated': ['event_id', 'session', 'type'],
  'session.input_audio.muted': ['event_id', 'type'],
  'session.input_audio.unmuted': ['event_id', 'type'],
  'session.output_audio.fixture.playing': ['event_id', 'type'],
  'session.output_audio.fixture.played': ['event_id', 'type'],
  'session.instructions.appended': ['end_ms', 'event_id', 'start_ms', 'type'],
  'session.thinking.appended': ['end_ms', 'event_id', 'start_ms', 'type'],
  'session.commentary.appended': ['end_ms', 'event_id', 'start_ms', 'type'],
  'session.input_audio.append': ['audio', 'type'],
  'session.output_audio.delta': ['delta', 'type'],
  'session.input_transcript.delta': ['delta', 'end_ms', 'event_id', 'start_ms', 'type'],
  'session.output_transcript.delta': ['delta', 'end_ms', 'event_id', 'start_ms', 'type'],
  'session.delegation.created': ['delegation', 'event_id', 'offset_ms', 'type'],
  'decision.event': ['delegation_id', 'event', 'event_id', 'source_event_id', 'source_event_type', 'trigger_id', 'type'],
  'decision.item.created': ['event_id', 'item', 'type'],
  'decision.item.deleted': ['event_id', 'item_id', 'type'],
  'response.event': ['event', 'event_id', 'type'],
  'session.usage.updated': ['event_id', 'type', 'usage'],
  'session.closed': ['event_id', 'reason', 'session', 'type', 'usage'],
  'error': ['error', 'event_id', 'type'],
  'info': ['code', 'event_id', 'message', 'type'],
  'transport.dtmf.received': ['event', 'event_id', 'type'],
  'transport.dtmf.send': ['event', 'event_id', 'type'],
  'transport.dtmf.sent': ['event', 'event_id', 'type'],
  'transport.ringing': ['event_id', 'session_id', 'type'],
  'transport.answered': ['event_id', 'session_id', 'type'],
  'transport.failed': ['error', 'event_id', 'session_id', 'type'],
} as const satisfies { [T in LiveType]: readonly RequiredKeys<Of<T>>[] };

type Missing = { [T in LiveType]: Exclude<RequiredKeys<Of<T>>, (typeof REQUIRED)[T][number]> }[LiveType];
const NOTHING_MISSING: [Missing] extends [never] ? true : false = true;

const SESSION_FIELDS: readonly RequiredKeys<SessionResource>[] = ['id', 'expires_at', 'model', 'status'];
const USAGE_FIELDS: readonly RequiredKeys<SessionUsage>[] = ['seconds'];
const ERROR_FIELDS: readonly RequiredKeys<LiveError>[] = ['code', 'message', 'type'];

type Json = Record<string, unknown>;

function missingIn(value: unknown, fields: readonly string[], where: string): string[] {
  if (typeof value !== 'object' || value === null) return [`${where} is not an object`];
  return fields.filter((field) => (value as Json)[field] === undefined).map((field) => `${where}.${field} missing`);
}

/** What is wrong with one event as a Live server event, by the SDK's union (empty: nothing). */
export function liveEventProblems(event: Json): string[] {
  const type = event.type as LiveType;
  const required: readonly string[] | undefined = NOTHING_MISSING ? REQUIRED[type] : undefined;
  if (!required) return [`${String(event.type)} is not a Live server event type`];
  const problems = required.filter((field) => event[field] === undefined).map((field) => `${type}: ${field} missing`);
  if (event.session !== undefined) problems.push(...missingIn(event.session, SESSION_FIELDS, `${type}.session`));
  if (event.usage !== undefined) problems.push(...missingIn(event.usage, USAGE_FIELDS, `${type}.usage`));
  if (type === 'error') problems.push(...missingIn(event.error, ERROR_FIELDS, 'error.error'));
  if ('start_ms' in event || 'end_ms' in event) {
    const { start_ms: start, end_ms: end } = event;
    // The SDK's TranscriptGrouper throws on anything else.
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0 || (end as number) < (start as number)) {
      problems.push(`${type}: start_ms/end_ms must be whole, non-negative and ordered (got ${String(start)}..${String(end)})`);
    }
  }
  if ('event_id' in event && (typeof event.event_id !== 'string' || event.event_id === '')) problems.push(`${type}: event_id must be a non-empty string`);
  return problems;
}
