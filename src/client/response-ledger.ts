import type { Item, ProtocolError, Response, ResponseParams } from '../protocol/events.js';

/**
 * Whose a response is. `own`: kaiwa asked for it (its request's tag came back in the
 * response's metadata). `conversation`: the server started it in the conversation by
 * itself (voice activity, a tool output) — the answer to what the user said. `foreign`:
 * out of band (`conversation_id` null) or tagged by another party (a sideband controller):
 * never the answer to the user's question.
 */
export type ResponseOwner = 'own' | 'conversation' | 'foreign';

/** The metadata key kaiwa tags its own `response.create` with. */
export const REQUEST_TAG = 'kaiwa_request';

export interface Request {
  eventId: string;
  params: ResponseParams | undefined;
}

/** A request waiting its turn, with the items it answers (a typed line), sent only when its turn comes. */
export interface QueuedRequest {
  params: ResponseParams | undefined;
  items: readonly Item[];
}

/** What a lost connection leaves unanswered (see ResponseLedger.reset). */
export interface LostRequests {
  inFlight?: QueuedRequest;
  queued: QueuedRequest[];
}

export type RequestOutcome =
  | { kind: 'retry'; request: Request }
  | { kind: 'rejected'; request: Request; error: ProtocolError };

/**
 * kaiwa's requests for responses and the responses that came of them, tracked by id, so a
 * response someone else asked for never clears kaiwa's pending request, and kaiwa never
 * asks while its own (or the conversation's) response is active.
 */
export class ResponseLedger {
  private pending: Request | undefined;
  private readonly queue: QueuedRequest[] = [];
  private readonly owners = new Map<string, ResponseOwner>();
  /** Every request id kaiwa tagged on this session: an old request's response is still its own. */
  private readonly sentIds = new Set<string>();
  /**
   * An untagged response in the conversation that began while kaiwa's request was pending.
   * A service that echoes metadata would have refused that request (the conversation was
   * busy); if no refusal came by the time it ends, it was the answer to the request (a
   * server that does not echo metadata, like the 2024 beta).
   */
  private candidate: string | undefined;

  /** A request was sent, or is about to be. */
  get requestPending(): boolean {
    return this.pending !== undefined;
  }

  /** Requests waiting for the conversation's active response to finish. */
  get queued(): number {
    return this.queue.length;
  }

  /** kaiwa has asked for something not answered yet (sent or queued). */
  get outstanding(): boolean {
    return this.pending !== undefined || this.queue.length > 0;
  }

  enqueue(params: ResponseParams | undefined, items: readonly Item[] = [], front = false): void {
    if (front) this.queue.unshift({ params, items });
    else this.queue.push({ params, items });
  }

  takeQueued(): QueuedRequest | undefined {
    return this.queue.shift();
  }

  /** Requests waiting that carry nothing of the user's (the answer to tool outputs, a rate-limited answer asked again). */
  get queuedBare(): number {
    return this.queue.filter((request) => request.items.length === 0).length;
  }

  /** The first waiting request that carries nothing of the user's; typed lines stay where they are. */
  takeQueuedBare(): QueuedRequest | undefined {
    const at = this.queue.findIndex((request) => request.items.length === 0);
    return at < 0 ? undefined : this.queue.splice(at, 1)[0];
  }

  /** Drops queued requests that carry nothing of the user's (a typed line is still answered). */
  dropBareRequests(): void {
    const kept = this.queue.filter((request) => request.items.length > 0);
    this.queue.splice(0, this.queue.length, ...kept);
  }

  /** Items of queued requests, not sent yet. */
  get queuedItems(): Item[] {
    return this.queue.flatMap((request) => [...request.items]);
  }

  /** The request as sent: tagged (where the dialect has metadata), so its response can be recognised. */
  sent(eventId: string, params: ResponseParams | undefined, tag: boolean): ResponseParams | undefined {
    this.pending = { eventId, params };
    this.sentIds.add(eventId);
    this.candidate = undefined;
    if (!tag) return params;
    return { ...params, metadata: { ...(params?.metadata ?? {}), [REQUEST_TAG]: eventId } };
  }

  /** Classifies a response the server created, and whether it answers kaiwa's request. */
  created(response: Response): ResponseOwner {
    const owner = this.ownerOf(response);
    if (owner === 'own' && response.metadata?.[REQUEST_TAG] === this.pending?.eventId) this.pending = undefined;
    if (owner === 'conversation' && this.pending) this.candidate = response.id;
    if (response.id) this.owners.set(response.id, owner);
    return owner;
  }

  /** The owner of a response seen before (unknown ones are treated as the conversation's). */
  owner(responseId: string | undefined): ResponseOwner {
    return (responseId && this.owners.get(responseId)) || 'conversation';
  }

  finished(responseId: string | undefined): ResponseOwner {
    let owner = this.owner(responseId);
    if (this.pending && responseId !== undefined && responseId === this.candidate) {
      owner = 'own';
      this.pending = undefined;
    }
    if (responseId === this.candidate) this.candidate = undefined;
    if (responseId) this.owners.delete(responseId);
    return owner;
  }

  /** An `error` naming kaiwa's pending request: wait and retry, or it was refused. */
  failed(error: ProtocolError): RequestOutcome | undefined {
    const request = this.pending;
    if (!request || error.event_id !== request.eventId) return undefined;
    this.pending = undefined;
    this.candidate = undefined;
    // The server started its own response (VAD, tool output) first: ours waits its turn.
    if (error.code === 'conversation_already_has_active_response') return { kind: 'retry', request };
    return { kind: 'rejected', request, error };
  }

  /**
   * A new connection: nothing sent on the old one will be answered. Returns what was asked:
   * the request sent and not yet answered, and those that waited their turn (never sent).
   */
  reset(): LostRequests {
    const lost = { ...(this.pending ? { inFlight: { params: this.pending.params, items: [] } } : {}), queued: [...this.queue] };
    this.pending = undefined;
    this.candidate = undefined;
    this.queue.length = 0;
    this.owners.clear();
    return lost;
  }

  private ownerOf(response: Response): ResponseOwner {
    const tag = response.metadata?.[REQUEST_TAG];
    if (tag !== undefined) return this.sentIds.has(tag) ? 'own' : 'foreign';
    if (response.conversation_id === null) return 'foreign';
    return response.metadata && Object.keys(response.metadata).length ? 'foreign' : 'conversation';
  }
}
