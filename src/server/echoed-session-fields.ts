/**
 * The read-only fields of the session object. The service announces them in
 * session.created / session.updated (`id`, `object`, `expires_at`; a beta session created
 * over REST also carries `client_secret`), and apps that keep the session object and send
 * it back whole in session.update put them in: the service takes them, so kaiwa serve does.
 * They change nothing (the session keeps its id and expiry), but their types are checked as
 * the `openai` package types them, so a wrong one is refused like any other field.
 */
import { integerIn, isRecord, number, oneOf, onlyKnownKeys, optionalString, record, string, type Json } from './json-check.js';

/** The value `object` has in each kind of session. */
export const SESSION_OBJECTS = { realtime: 'realtime.session', transcription: 'realtime.transcription_session' } as const;

export const ECHOED_SESSION_FIELDS = ['id', 'object', 'expires_at', 'client_secret'] as const;

/** Throws a ProtocolFailure naming the first read-only field of `patch` with the wrong type. */
export function checkEchoedFields(patch: Json, kind: keyof typeof SESSION_OBJECTS): void {
  if (patch.id !== undefined) string(patch.id, 'session.id', 512);
  if (patch.object !== undefined) oneOf(patch.object, 'session.object', [SESSION_OBJECTS[kind]]);
  if (patch.expires_at !== undefined) number(patch.expires_at, 'session.expires_at');
  if (patch.client_secret !== undefined) checkClientSecret(patch.client_secret);
}

/**
 * A beta REST session's ephemeral key `{value, expires_at}` as it was echoed, or the beta
 * session request's settings for it `{expires_after: {anchor: 'created_at', seconds}}`
 * (the beta transcription request names that object `expires_at`).
 */
function checkClientSecret(value: unknown): void {
  const param = 'session.client_secret';
  const secret = record(value, param);
  onlyKnownKeys(secret, param, ['value', 'expires_at', 'expires_after']);
  optionalString(secret.value, `${param}.value`);
  if (isRecord(secret.expires_at)) checkExpiry(secret.expires_at, `${param}.expires_at`);
  else if (secret.expires_at !== undefined) number(secret.expires_at, `${param}.expires_at`);
  if (secret.expires_after !== undefined) checkExpiry(record(secret.expires_after, `${param}.expires_after`), `${param}.expires_after`);
}

/** `{anchor: 'created_at', seconds?: 10..7200}`. */
function checkExpiry(expiry: Json, param: string): void {
  onlyKnownKeys(expiry, param, ['anchor', 'seconds']);
  if (expiry.anchor !== undefined) oneOf(expiry.anchor, `${param}.anchor`, ['created_at'] as const);
  if (expiry.seconds !== undefined) integerIn(expiry.seconds, `${param}.seconds`, 10, 7200);
}
