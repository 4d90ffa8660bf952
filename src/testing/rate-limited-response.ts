/**
 * How the service answers a `response.create` it will not run because a rate limit is
 * used up: the response is created and at once done with status `failed`, its
 * `status_details.error` saying `rate_limit_exceeded`, and the limits show nothing left.
 * Nothing is added to the conversation, so the session behind never hears of it.
 */
import type { Dialect } from '../protocol/dialect.js';
import type { ServerEvent, WireEvent } from '../protocol/events.js';
import { newId } from '../server/ids.js';
import { eventType } from './fault-rules.js';

export const RATE_LIMIT_MESSAGE = 'Rate limit reached for gpt-realtime on tokens per min (TPM): Limit 40000, Used 40000, Requested 1200. Please try again in 1.8s.';

/** What a session answers in until its client changes it (`session.created` says so). */
export const DEFAULT_OUTPUT_MODALITIES: readonly string[] = ['audio'];

/**
 * The wire frames answering `request` (the client's response.create as it arrived), in the
 * modalities a response that ran would have: the request's, else the session's (GA names).
 */
export function rateLimitedResponse(request: string, dialect: Dialect, conversationId: string, sessionModalities: readonly string[]): string[] {
  const params = responseParams(request, dialect);
  const base = {
    id: newId('resp'),
    object: 'realtime.response',
    output: [],
    conversation_id: params.conversation === 'none' ? null : conversationId,
    output_modalities: oneModality(Array.isArray(params.output_modalities) ? params.output_modalities : sessionModalities),
    max_output_tokens: params.max_output_tokens ?? 'inf',
    metadata: params.metadata ?? null,
    usage: null,
  };
  const events = [
    { type: 'response.created', response: { ...base, status: 'in_progress', status_details: null } },
    {
      type: 'response.done',
      response: {
        ...base,
        status: 'failed',
        status_details: { type: 'failed', error: { type: 'tokens', code: 'rate_limit_exceeded', message: RATE_LIMIT_MESSAGE } },
      },
    },
    {
      type: 'rate_limits.updated',
      rate_limits: [
        { name: 'requests', limit: 5000, remaining: 4999, reset_seconds: 0.012 },
        { name: 'tokens', limit: 40000, remaining: 0, reset_seconds: 1.8 },
      ],
    },
  ];
  return events.flatMap((event) => dialect.serverToWire({ ...event, event_id: newId('event') } as unknown as ServerEvent))
    .map((wire) => JSON.stringify(wire));
}

function responseParams(request: string, dialect: Dialect): Record<string, unknown> {
  try {
    const wire = JSON.parse(request) as { type: string };
    const event = dialect.clientFromWire(wire) as unknown as { response?: unknown };
    return typeof event.response === 'object' && event.response !== null ? event.response as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/** The session's output modalities, when `frame` is a session.created or session.updated that says them. */
export function announcedModalities(frame: string, dialect: Dialect): string[] | undefined {
  const type = eventType(frame);
  if (type !== 'session.created' && type !== 'session.updated') return undefined;
  try {
    const [event] = dialect.serverFromWire(JSON.parse(frame) as WireEvent) as unknown as Array<{ session?: { output_modalities?: unknown } }>;
    const modalities = event?.session?.output_modalities;
    return Array.isArray(modalities) ? modalities.filter((modality): modality is string => typeof modality === 'string') : undefined;
  } catch {
    return undefined;
  }
}

/** GA answers in one modality; audio comes with its transcript, so audio wins (as in a response that runs). */
function oneModality(modalities: readonly unknown[]): string[] {
  return modalities.includes('audio') ? ['audio'] : ['text'];
}
