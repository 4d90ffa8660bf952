import type { ProtocolError } from '../protocol/events.js';
import { START_REFUSED_ERROR_TYPE } from '../protocol/live/live-client-dialect.js';

export type ErrorSeverity = 'fatal' | 'session-ends' | 'recoverable';

/** Errors after which no request on this key or model can succeed: going on only burns time. */
const FATAL_CODES = new Set([
  'invalid_api_key', 'insufficient_quota', 'account_deactivated', 'model_not_found', 'model_not_found_error',
  'unsupported_model', 'billing_hard_limit_reached', 'organization_deactivated',
]);
const FATAL_TYPES = new Set(['authentication_error', 'permission_error', START_REFUSED_ERROR_TYPE]);
/** The service ends the session itself (maximum duration); a reconnect carries on. */
const SESSION_ENDING_CODES = new Set(['session_expired', 'session_closed']);

/**
 * How bad a server `error` event is. Most (a bad parameter, a response race, an empty
 * commit) leave the session working; a few mean this key or model cannot go on.
 */
export function severityOf(error: ProtocolError): ErrorSeverity {
  const code = error.code ?? '';
  if (FATAL_CODES.has(code) || FATAL_TYPES.has(error.type)) return 'fatal';
  if (SESSION_ENDING_CODES.has(code)) return 'session-ends';
  return 'recoverable';
}
