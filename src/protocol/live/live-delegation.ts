import type { ServerEvent } from '../events.js';

export interface DelegatedCall {
  id: string;
  callId: string;
  name: string;
  arguments: string;
}

type Json = Record<string, unknown>;

const FINISHED = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * Function calls a delegated Responses backend makes while it works on a task Live handed
 * it. They arrive nested in `response.event`; when that backend response finishes, the
 * calls it made are kaiwa's to run (its tool runner answers them with function outputs).
 */
export class DelegatedCalls {
  private calls: DelegatedCall[] = [];

  /** One nested Responses event; returns the calls to run when its response has finished. */
  add(nested: Json): DelegatedCall[] | undefined {
    const type = nested.type;
    if (type === 'response.output_item.done' && isFunctionCall(nested.item)) {
      const item = nested.item;
      this.calls.push({ id: String(item.id ?? item.call_id), callId: String(item.call_id), name: String(item.name), arguments: String(item.arguments ?? '') });
      return undefined;
    }
    if (typeof type !== 'string' || !FINISHED.has(type) || this.calls.length === 0) return undefined;
    const calls = this.calls;
    this.calls = [];
    return calls;
  }
}

/** The nested event ends the backend's response (with or without calls for kaiwa). */
export function finishesResponse(nested: Json): boolean {
  return typeof nested.type === 'string' && FINISHED.has(nested.type);
}

function isFunctionCall(item: unknown): item is Json {
  return typeof item === 'object' && item !== null && (item as Json).type === 'function_call'
    && typeof (item as Json).call_id === 'string' && typeof (item as Json).name === 'string';
}

/**
 * The calls as a GA response beside the conversation (`conversation_id` null, like an
 * out-of-band response): the tool runner sees function calls in a `response.done`, as it
 * does for the Realtime API, while nobody takes it for the spoken answer.
 */
export function delegatedToolCalls(responseId: string, calls: readonly DelegatedCall[]): ServerEvent[] {
  const items = calls.map((call) => ({
    id: call.id, object: 'realtime.item', type: 'function_call', status: 'completed', call_id: call.callId, name: call.name, arguments: call.arguments,
  }));
  const response = { id: responseId, object: 'realtime.response', conversation_id: null, output_modalities: ['text'], metadata: null };
  return [
    { type: 'response.created', event_id: '', response: { ...response, status: 'in_progress', output: [] } },
    ...items.map((item, index) => ({ type: 'response.output_item.done', event_id: '', response_id: responseId, output_index: index, item })),
    { type: 'response.done', event_id: '', response: { ...response, status: 'completed', output: items } },
  ] as unknown as ServerEvent[];
}
