/**
 * Checks one session's server events against the order the Realtime protocol promises:
 * a response's events between its response.created and response.done, items added before
 * their parts, parts before their deltas, `…done` events after the deltas they close,
 * speech_started before speech_stopped (same item), committed and conversation.item.added
 * for that item, transcripts equal to their deltas, unique event ids.
 * Used by the load test and the benchmarks; violations are collected, never thrown.
 */
export type Json = Record<string, unknown> & { type: string };

interface PartState {
  open: boolean;
  audioDone: boolean;
  transcriptDone: boolean;
  transcript: string;
  audioBytes: number;
}

interface ResponseState {
  id: string;
  items: Map<string, { done: boolean; parts: Map<number, PartState> }>;
}

export class EventOrderChecker {
  readonly violations: string[] = [];
  private count = 0;
  private readonly eventIds = new Set<string>();
  private speechItem: string | undefined;
  private awaitingCommit: string | undefined;
  private readonly committed = new Set<string>();
  private readonly added = new Set<string>();
  private readonly doneItems = new Set<string>();
  private active: ResponseState | undefined;
  private readonly finished = new Set<string>();
  /** Completed responses and their transcripts, in order. */
  readonly responses: Array<{ id: string; status: string; transcript: string; audioBytes: number }> = [];
  speechStarted = 0;

  constructor(private readonly label = 'session') {}

  check(event: Json): void {
    this.count += 1;
    const type = event.type;
    if (this.count === 1 && type !== 'session.created') this.fail(`first event is ${type}, not session.created`);
    const eventId = event.event_id;
    if (typeof eventId !== 'string') this.fail(`${type} without event_id`);
    else if (this.eventIds.has(eventId)) this.fail(`duplicate event_id ${eventId}`);
    else this.eventIds.add(eventId);
    const responseId = typeof event.response_id === 'string' ? event.response_id : undefined;
    if (responseId !== undefined) this.inResponse(type, responseId);
    switch (type) {
      case 'error': return this.fail(`error event: ${JSON.stringify(event.error)}`);
      case 'input_audio_buffer.speech_started': return this.speechStartedEvent(String(event.item_id));
      case 'input_audio_buffer.speech_stopped': return this.speechStoppedEvent(String(event.item_id));
      case 'input_audio_buffer.committed': return this.committedEvent(String(event.item_id));
      case 'conversation.item.added': return this.itemAdded((event.item as { id: string }).id);
      case 'conversation.item.done': return this.itemDone((event.item as { id: string }).id);
      case 'conversation.item.input_audio_transcription.delta':
      case 'conversation.item.input_audio_transcription.completed':
        if (!this.committed.has(String(event.item_id))) this.fail(`${type} for an item never committed`);
        return;
      case 'response.created': return this.responseCreated((event.response as { id: string }).id);
      case 'response.output_item.added': return this.outputItemAdded((event.item as { id: string }).id);
      case 'response.content_part.added': return this.partAdded(String(event.item_id), Number(event.content_index));
      case 'response.output_audio.delta':
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta':
        return this.delta(type, event);
      case 'response.output_audio.done': return this.partStreamDone(event, 'audio');
      case 'response.output_audio_transcript.done':
      case 'response.output_text.done':
        return this.partStreamDone(event, 'transcript');
      case 'response.content_part.done': return this.partDone(String(event.item_id), Number(event.content_index));
      case 'response.output_item.done': return this.outputItemDone((event.item as { id: string }).id);
      case 'response.done': return this.responseDone(event.response as { id: string; status: string; output?: Array<{ id: string }> });
      default:
    }
  }

  /** At the end of the session: nothing may be left half-open. */
  finish(): void {
    if (this.active) this.fail(`response ${this.active.id} never got response.done`);
    if (this.awaitingCommit) this.fail(`speech ${this.awaitingCommit} stopped but never committed`);
  }

  private speechStartedEvent(itemId: string): void {
    this.speechStarted += 1;
    if (this.speechItem) this.fail(`speech_started ${itemId} while speech ${this.speechItem} was still going`);
    this.speechItem = itemId;
  }

  private speechStoppedEvent(itemId: string): void {
    if (this.speechItem !== itemId) this.fail(`speech_stopped ${itemId} without its speech_started (open: ${this.speechItem ?? 'none'})`);
    this.speechItem = undefined;
    this.awaitingCommit = itemId;
  }

  private committedEvent(itemId: string): void {
    if (this.awaitingCommit && this.awaitingCommit !== itemId) this.fail(`committed ${itemId}, but speech ${this.awaitingCommit} stopped`);
    this.awaitingCommit = undefined;
    this.committed.add(itemId);
  }

  private itemAdded(itemId: string): void {
    if (this.added.has(itemId)) this.fail(`conversation.item.added twice for ${itemId}`);
    this.added.add(itemId);
  }

  private itemDone(itemId: string): void {
    if (!this.added.has(itemId)) this.fail(`conversation.item.done before added for ${itemId}`);
    if (this.doneItems.has(itemId)) this.fail(`conversation.item.done twice for ${itemId}`);
    this.doneItems.add(itemId);
  }

  private inResponse(type: string, responseId: string): void {
    if (this.finished.has(responseId)) this.fail(`${type} after response.done of ${responseId}`);
    else if (this.active?.id !== responseId) this.fail(`${type} for ${responseId} outside it (active: ${this.active?.id ?? 'none'})`);
  }

  private responseCreated(id: string): void {
    if (this.active) this.fail(`response.created ${id} while ${this.active.id} is active`);
    if (this.finished.has(id)) this.fail(`response id ${id} reused`);
    this.active = { id, items: new Map() };
  }

  private outputItemAdded(itemId: string): void {
    if (!this.active) return;
    if (this.active.items.has(itemId)) this.fail(`output_item.added twice for ${itemId}`);
    this.active.items.set(itemId, { done: false, parts: new Map() });
  }

  private part(itemId: string, index: number, what: string): PartState | undefined {
    const item = this.active?.items.get(itemId);
    if (!item) {
      this.fail(`${what} for ${itemId} before its output_item.added`);
      return undefined;
    }
    if (item.done) this.fail(`${what} for ${itemId} after its output_item.done`);
    const part = item.parts.get(index);
    if (!part) this.fail(`${what} for ${itemId}[${index}] before content_part.added`);
    return part;
  }

  private partAdded(itemId: string, index: number): void {
    const item = this.active?.items.get(itemId);
    if (!item) return this.fail(`content_part.added for ${itemId} before its output_item.added`);
    if (item.parts.has(index)) this.fail(`content_part.added twice for ${itemId}[${index}]`);
    item.parts.set(index, { open: true, audioDone: false, transcriptDone: false, transcript: '', audioBytes: 0 });
  }

  private delta(type: string, event: Json): void {
    const part = this.part(String(event.item_id), Number(event.content_index), type);
    if (!part) return;
    if (!part.open) this.fail(`${type} after content_part.done`);
    if (type === 'response.output_audio.delta') {
      if (part.audioDone) this.fail('audio delta after output_audio.done');
      part.audioBytes += Buffer.byteLength(String(event.delta), 'base64');
    } else {
      if (part.transcriptDone) this.fail(`${type} after its done`);
      part.transcript += String(event.delta);
    }
  }

  private partStreamDone(event: Json, stream: 'audio' | 'transcript'): void {
    const part = this.part(String(event.item_id), Number(event.content_index), event.type);
    if (!part) return;
    if (stream === 'audio') part.audioDone = true;
    else {
      part.transcriptDone = true;
      const full = String(event.transcript ?? event.text);
      if (full !== part.transcript) this.fail(`${event.type} "${full}" differs from its deltas "${part.transcript}"`);
    }
  }

  private partDone(itemId: string, index: number): void {
    const part = this.part(itemId, index, 'content_part.done');
    if (!part) return;
    if (!part.transcriptDone) this.fail(`content_part.done for ${itemId} before its transcript/text done`);
    part.open = false;
  }

  private outputItemDone(itemId: string): void {
    const item = this.active?.items.get(itemId);
    if (!item) return this.fail(`output_item.done for ${itemId} never added`);
    for (const [index, part] of item.parts) if (part.open) this.fail(`output_item.done for ${itemId} while part ${index} is open`);
    item.done = true;
  }

  private responseDone(response: { id: string; status: string; output?: Array<{ id: string }> }): void {
    const active = this.active;
    if (!active || active.id !== response.id) {
      this.fail(`response.done ${response.id} without its response.created`);
      return;
    }
    for (const [id, item] of active.items) if (!item.done) this.fail(`response.done while item ${id} is not done`);
    const outputIds = (response.output ?? []).map((item) => item.id);
    if (outputIds.join() !== [...active.items.keys()].join()) this.fail(`response.done output ${outputIds.join()} ≠ items ${[...active.items.keys()].join()}`);
    let transcript = '';
    let audioBytes = 0;
    for (const item of active.items.values()) {
      for (const part of item.parts.values()) {
        transcript += part.transcript;
        audioBytes += part.audioBytes;
      }
    }
    this.responses.push({ id: response.id, status: response.status, transcript, audioBytes });
    this.finished.add(response.id);
    this.active = undefined;
  }

  private fail(message: string): void {
    if (this.violations.length < 20) this.violations.push(`${this.label}: ${message}`);
  }
}
