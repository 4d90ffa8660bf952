/**
 * Runs one response from `response.created` to `response.done`: asks the reply engine,
 * turns its text into a message item (with speech) and its tool calls into function_call
 * items, and ends with honest status and usage. Cancelling aborts the engine and the
 * synthesizer; the open item is closed as `incomplete` so every `added` has its `done`.
 */
import type { Item, Response, ServerEventOf } from '../protocol/events.js';
import type { Logger } from '../logger.js';
import type { EngineChunk, EngineRequest, ReplyEngine } from './engines/reply-engine.js';
import type { Synthesizer } from './speech/synthesizer.js';
import type { StoredItem } from './conversation-store.js';
import type { Emit } from './outgoing-event.js';
import type { ResponsePlan } from './response-plan.js';
import { contextTally, engineMessages, type TranscriptOf } from './engine-context.js';
import { functionCallItem } from './conversation-items.js';
import { MessageWriter } from './message-writer.js';
import { newId } from './ids.js';
import { assistantAudioTokens, emptyTally, textTokens, usageOf, type TokenTally } from './token-tally.js';
import { errorMessage } from '../errors.js';

export type CancelReason = 'client_cancelled' | 'turn_detected';

type Outcome =
  | { status: 'completed' }
  | { status: 'cancelled'; reason: CancelReason }
  | { status: 'incomplete'; reason: 'max_output_tokens' }
  | { status: 'failed'; error: { type: string; code: string; message: string } };

export interface RunnerDeps {
  emit: Emit;
  engine: ReplyEngine;
  synthesizer: Synthesizer | undefined;
  transcriptOf: TranscriptOf;
  addToConversation: ((stored: StoredItem) => string | null) | undefined;
  drain: () => Promise<void>;
  logger: Logger;
  conversationId: string;
  /** The event_id of the response.create that asked for this response (errors while answering name it); null when the server's turn detection started it. */
  clientEventId: string | null;
}

export interface ResponseResult {
  response: Response;
  /** Milliseconds of assistant audio produced (any audio locks the session's voice). */
  audioMs: number;
}

export class ResponseRunner {
  private readonly abort = new AbortController();
  private cancelReason: CancelReason | undefined;
  private readonly output: Item[] = [];
  private readonly outputTally: TokenTally = emptyTally();
  private writer: MessageWriter | undefined;
  private audioMs = 0;

  constructor(readonly plan: ResponsePlan, private readonly deps: RunnerDeps) {}

  get id(): string {
    return this.plan.id;
  }

  get cancelling(): boolean {
    return this.abort.signal.aborted;
  }

  cancel(reason: CancelReason): void {
    if (this.abort.signal.aborted) return;
    this.cancelReason = reason;
    this.abort.abort();
  }

  async run(): Promise<ResponseResult> {
    this.deps.emit({ type: 'response.created', response: this.responseObject('in_progress') });
    const inputTally = contextTally(this.plan.instructions, this.plan.tools, this.plan.context);
    const outcome = await this.produce();
    const response = {
      ...this.responseObject(outcome.status),
      status_details: statusDetails(outcome),
      usage: usageOf(inputTally, this.outputTally),
    };
    this.deps.emit({ type: 'response.done', response });
    return { response, audioMs: this.audioMs };
  }

  private async produce(): Promise<Outcome> {
    let outcome: Outcome = { status: 'completed' };
    try {
      const request = await this.request();
      for await (const chunk of this.deps.engine.reply(request)) {
        if (this.abort.signal.aborted) break;
        if (chunk.type === 'error') {
          this.deps.emit({ type: 'error', error: { ...chunk.error, param: null, event_id: this.deps.clientEventId } });
          outcome = { status: 'failed', error: chunk.error };
          break;
        }
        await this.take(chunk);
        if (this.overBudget()) {
          outcome = { status: 'incomplete', reason: 'max_output_tokens' };
          break;
        }
      }
      if (outcome.status === 'completed') await this.writer?.flushSpeech();
    } catch (error) {
      if (!this.abort.signal.aborted) {
        this.deps.logger.log('warn', `response ${this.id} failed: ${errorMessage(error)}`);
        outcome = { status: 'failed', error: { type: 'server_error', code: 'engine_error', message: errorMessage(error) } };
      }
    }
    // Decided only now: a cancel may have arrived while the last sentence was being spoken.
    if (this.cancelReason) outcome = { status: 'cancelled', reason: this.cancelReason };
    this.closeMessage(outcome.status === 'completed' ? 'completed' : 'incomplete');
    return outcome;
  }

  private async request(): Promise<EngineRequest> {
    const messages = await engineMessages(this.plan.context, this.deps.transcriptOf);
    const request: EngineRequest = {
      instructions: this.plan.instructions,
      messages,
      tools: this.plan.tools,
      toolChoice: typeof this.plan.toolChoice === 'string' ? this.plan.toolChoice : this.plan.toolChoice.name,
      signal: this.abort.signal,
    };
    if (this.plan.maxOutputTokens !== 'inf') request.maxOutputTokens = this.plan.maxOutputTokens;
    return request;
  }

  private async take(chunk: Exclude<EngineChunk, { type: 'error' }>): Promise<void> {
    if (chunk.type === 'text') {
      this.writer ??= new MessageWriter(this.writerDeps(), this.output.length, newId('item'));
      await this.writer.write(chunk.delta);
      return;
    }
    await this.writer?.flushSpeech();
    this.closeMessage(this.abort.signal.aborted ? 'incomplete' : 'completed');
    if (this.abort.signal.aborted) return;
    this.writeFunctionCall(chunk.callId || newId('call'), chunk.name, chunk.arguments);
  }

  private writeFunctionCall(callId: string, name: string, args: string): void {
    const { emit, addToConversation } = this.deps;
    const outputIndex = this.output.length;
    const itemId = newId('item');
    const pending = functionCallItem(itemId, callId, name);
    const stored: StoredItem = { item: pending, audio: new Map() };
    const where = { response_id: this.id, output_index: outputIndex };
    emit({ type: 'response.output_item.added', ...where, item: { ...pending } });
    const previousItemId = addToConversation?.(stored) ?? null;
    if (addToConversation) emit({ type: 'conversation.item.added', previous_item_id: previousItemId, item: { ...pending } });
    emit({ type: 'response.function_call_arguments.delta', ...where, item_id: itemId, call_id: callId, delta: args });
    emit({ type: 'response.function_call_arguments.done', ...where, item_id: itemId, call_id: callId, name, arguments: args });
    const item = { ...pending, status: 'completed' as const, arguments: args };
    stored.item = item;
    this.output.push(item);
    this.outputTally.text += textTokens(name) + textTokens(args);
    emit({ type: 'response.output_item.done', ...where, item });
    if (addToConversation) emit({ type: 'conversation.item.done', previous_item_id: previousItemId, item });
  }

  private closeMessage(status: 'completed' | 'incomplete'): void {
    const writer = this.writer;
    if (!writer) return;
    this.writer = undefined;
    const item = writer.finish(status);
    this.output.push(item);
    this.outputTally.text += textTokens(writer.outputText);
    this.outputTally.audio += assistantAudioTokens(writer.audioMs);
    this.audioMs += writer.audioMs;
  }

  private overBudget(): boolean {
    if (this.plan.maxOutputTokens === 'inf') return false;
    const writer = this.writer;
    const pending = writer ? textTokens(writer.outputText) + assistantAudioTokens(writer.audioMs) : 0;
    return this.outputTally.text + this.outputTally.audio + pending >= this.plan.maxOutputTokens;
  }

  private writerDeps() {
    const { emit, synthesizer, logger, addToConversation, drain } = this.deps;
    return { emit, plan: this.plan, synthesizer, signal: this.abort.signal, logger, addToConversation, drain };
  }

  private responseObject(status: NonNullable<Response['status']>): Response {
    const response: Response = {
      id: this.id,
      object: 'realtime.response',
      status,
      output: [...this.output],
      output_modalities: [this.plan.modality],
      max_output_tokens: this.plan.maxOutputTokens,
      audio: { output: { format: this.plan.outputFormat, voice: this.plan.voice as string } },
      metadata: this.plan.metadata,
    };
    // Out of band: the service says so with null, not by leaving the field out.
    response.conversation_id = this.plan.conversation === 'auto' ? this.deps.conversationId : null as unknown as string;
    return response;
  }
}

function statusDetails(outcome: Outcome): ServerEventOf<'response.done'>['response']['status_details'] {
  switch (outcome.status) {
    case 'completed': return { type: 'completed' };
    case 'cancelled': return { type: 'cancelled', reason: outcome.reason };
    case 'incomplete': return { type: 'incomplete', reason: outcome.reason };
    case 'failed': return { type: 'failed', error: outcome.error };
  }
}

