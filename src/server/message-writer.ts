/**
 * Writes one assistant message of a response: announces the item and its content part,
 * streams text (or transcript + synthesized audio), and closes it with the `…done` events.
 * Audio is sent in ≤100 ms deltas as the synthesizer produces it.
 */
import type { Item } from '../protocol/events.js';
import type { Logger } from '../logger.js';
import type { Synthesizer } from './speech/synthesizer.js';
import type { AudioContent, StoredItem } from './conversation-store.js';
import type { Emit } from './outgoing-event.js';
import type { ResponsePlan } from './response-plan.js';
import { assistantMessage, type AssistantItem } from './conversation-items.js';
import { SentenceSplitter } from './sentences.js';
import { truncateTranscript } from './truncation.js';
import { encodeWireAudio, pcmDurationMs, pcmOffset, pcmRateOf } from './wire-audio.js';

export const MAX_AUDIO_DELTA_MS = 100;

export interface MessageWriterDeps {
  emit: Emit;
  plan: ResponsePlan;
  synthesizer: Synthesizer | undefined;
  signal: AbortSignal;
  logger: Logger;
  /** Puts the item into the conversation (auto responses) and returns previous_item_id. */
  addToConversation: ((stored: StoredItem) => string | null) | undefined;
  /** Waits while the client is slow to read, so audio does not pile up in memory. */
  drain: () => Promise<void>;
}

export class MessageWriter {
  private text = '';
  private readonly chunks: Buffer[] = [];
  private readonly audio: AudioContent;
  private readonly stored: StoredItem;
  private readonly splitter = new SentenceSplitter();
  private readonly previousItemId: string | null;
  private synthesisBroken = false;

  constructor(private readonly deps: MessageWriterDeps, readonly outputIndex: number, readonly itemId: string) {
    const { plan } = deps;
    this.audio = { pcm: undefined, sampleRate: pcmRateOf(plan.outputFormatName), durationMs: 0 };
    this.stored = { item: assistantMessage(itemId), audio: new Map() };
    if (plan.modality === 'audio') this.stored.audio.set(0, this.audio);
    const item = this.snapshot('in_progress', []);
    deps.emit({ type: 'response.output_item.added', response_id: plan.id, output_index: outputIndex, item });
    this.previousItemId = deps.addToConversation?.(this.stored) ?? null;
    if (deps.addToConversation) {
      deps.emit({ type: 'conversation.item.added', previous_item_id: this.previousItemId, item });
    }
    deps.emit({ ...this.partEvent('response.content_part.added'), part: this.part() });
    // The stored item shows the part as it grows, so a truncate can arrive mid-speech.
    this.stored.item = this.snapshot('in_progress', [this.liveContent()]);
  }

  get outputText(): string {
    return this.text;
  }

  get audioMs(): number {
    return this.audio.durationMs;
  }

  async write(delta: string): Promise<void> {
    if (delta === '') return;
    this.text += delta;
    if (this.audio.truncatedAtMs === undefined) this.stored.item = this.snapshot('in_progress', [this.liveContent()]);
    const { plan } = this.deps;
    if (plan.modality === 'text') {
      this.deps.emit({ ...this.partEvent('response.output_text.delta'), delta });
      return;
    }
    this.deps.emit({ ...this.partEvent('response.output_audio_transcript.delta'), delta });
    for (const sentence of this.splitter.push(delta)) await this.speak(sentence);
  }

  /** Speaks what is left of the text once the engine has finished (a cancel may cut it short). */
  async flushSpeech(): Promise<void> {
    if (this.deps.plan.modality !== 'audio') return;
    for (const sentence of this.splitter.flush()) await this.speak(sentence);
  }

  /** Closes the item with its `…done` events; `incomplete` when the response was cut short. */
  finish(status: 'completed' | 'incomplete'): Item {
    const { plan } = this.deps;
    if (plan.modality === 'audio') {
      this.keepAudio();
      this.deps.emit(this.partEvent('response.output_audio.done'));
      this.deps.emit({ ...this.partEvent('response.output_audio_transcript.done'), transcript: this.text });
    } else {
      this.deps.emit({ ...this.partEvent('response.output_text.done'), text: this.text });
    }
    this.deps.emit({ ...this.partEvent('response.content_part.done'), part: this.part() });
    const item = this.snapshot(status, [this.finalContent()]);
    this.stored.item = item;
    this.deps.emit({ type: 'response.output_item.done', response_id: plan.id, output_index: this.outputIndex, item });
    if (this.deps.addToConversation) {
      this.deps.emit({ type: 'conversation.item.done', previous_item_id: this.previousItemId, item });
    }
    return item;
  }

  private async speak(sentence: string): Promise<void> {
    const { synthesizer, plan, signal } = this.deps;
    if (!synthesizer || this.synthesisBroken || signal.aborted) return;
    try {
      const options = { voice: plan.localVoice, speed: plan.speed, sampleRate: this.audio.sampleRate, signal };
      for await (const pcm of synthesizer.synthesize(sentence, options)) {
        if (signal.aborted) return;
        await this.sendAudio(pcm);
      }
    } catch (error) {
      if (signal.aborted) return;
      // Keep the reply going as text: losing the voice is better than losing the answer.
      this.synthesisBroken = true;
      this.deps.logger.log('warn', `speech synthesis failed, continuing with the transcript only: ${String(error)}`);
    }
  }

  private async sendAudio(pcm: Buffer): Promise<void> {
    const step = pcmOffset(MAX_AUDIO_DELTA_MS, this.audio.sampleRate);
    for (let offset = 0; offset < pcm.length; offset += step) {
      const piece = pcm.subarray(offset, Math.min(offset + step, pcm.length - (pcm.length % 2)));
      if (piece.length === 0) continue;
      this.chunks.push(piece);
      this.audio.durationMs += pcmDurationMs(piece.length, this.audio.sampleRate);
      this.deps.emit({ ...this.partEvent('response.output_audio.delta'), delta: encodeWireAudio(piece, this.deps.plan.outputFormatName) });
      await this.deps.drain();
      if (this.deps.signal.aborted) return;
    }
  }

  /** Stores the audio for retrieve/truncate, honouring a truncate that came while speaking. */
  private keepAudio(): void {
    const all = Buffer.concat(this.chunks);
    const cut = this.audio.truncatedAtMs;
    this.audio.pcm = cut === undefined ? all : all.subarray(0, pcmOffset(cut, this.audio.sampleRate));
    if (cut !== undefined) this.audio.durationMs = Math.min(this.audio.durationMs, cut);
  }

  private liveContent(): ReturnType<MessageWriter['finalContent']> {
    return this.deps.plan.modality === 'text' ? { type: 'output_text', text: this.text } : { type: 'output_audio', transcript: this.text };
  }

  private finalContent(): { type: 'output_text'; text: string } | { type: 'output_audio'; transcript: string } {
    if (this.deps.plan.modality === 'text') return { type: 'output_text', text: this.text };
    const cut = this.audio.truncatedAtMs;
    const total = pcmDurationMs(this.chunks.reduce((sum, chunk) => sum + chunk.length, 0), this.audio.sampleRate);
    const transcript = cut === undefined || total === 0 ? this.text : truncateTranscript(this.text, cut / total);
    return { type: 'output_audio', transcript };
  }

  /** Content parts in response events are named `audio` / `text` (items say `output_audio`). */
  private part(): { type: 'audio'; transcript: string } | { type: 'text'; text: string } {
    return this.deps.plan.modality === 'audio' ? { type: 'audio', transcript: this.text } : { type: 'text', text: this.text };
  }

  private partEvent<T extends string>(type: T) {
    return { type, response_id: this.deps.plan.id, item_id: this.itemId, output_index: this.outputIndex, content_index: 0 };
  }

  private snapshot(status: 'in_progress' | 'completed' | 'incomplete', content: Array<ReturnType<MessageWriter['finalContent']>>): AssistantItem {
    return assistantMessage(this.itemId, status, content);
  }
}
