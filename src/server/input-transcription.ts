/**
 * Recognizes what the user said in committed audio. The engine needs the words of every
 * audio turn; the `…input_audio_transcription.*` events are sent only when the session
 * asked for transcription. One recognition per item, shared by both uses.
 */
import type { Logger } from '../logger.js';
import type { Transcriber } from './speech/transcriber.js';
import { isEnglish } from './speech/english-only.js';
import type { StoredItem } from './conversation-store.js';
import type { Emit } from './outgoing-event.js';
import type { TranscriptionConfig } from './session-state.js';
import { textTokens, userAudioTokens } from './token-tally.js';
import { errorMessage } from '../errors.js';

type Recognition = { ok: true; text: string; durationMs: number } | { ok: false; code: string; message: string };

export class InputTranscription {
  private readonly results = new WeakMap<StoredItem, Promise<Recognition>>();
  private readonly live = new WeakMap<StoredItem, Promise<string>>();

  constructor(
    private readonly transcriber: Transcriber | undefined,
    private readonly missingReason: string,
    private readonly logger: Logger,
  ) {}

  /** The transcript for the engine, or undefined when it cannot be recognized. */
  async transcriptOf(stored: StoredItem, language?: string): Promise<string | undefined> {
    const result = await this.recognize(stored, language);
    return result.ok ? result.text : undefined;
  }

  /** The item's words come from the streaming recognizer, which followed the turn as it was spoken. */
  followLive(stored: StoredItem, transcript: Promise<string>): void {
    transcript.catch(() => undefined); // handled in run(), which may come later or never
    this.live.set(stored, transcript);
  }

  /** Sends the transcription events for a committed item when they arrive. */
  announce(stored: StoredItem, config: TranscriptionConfig, emit: Emit): void {
    const itemId = stored.item.id;
    void this.recognize(stored, config.language).then((result) => {
      if (!result.ok) {
        emit({
          type: 'conversation.item.input_audio_transcription.failed', item_id: itemId, content_index: 0,
          error: { type: 'transcription_error', code: result.code, message: result.message },
        });
        return;
      }
      emit({ type: 'conversation.item.input_audio_transcription.delta', item_id: itemId, content_index: 0, delta: result.text });
      emit({
        type: 'conversation.item.input_audio_transcription.completed', item_id: itemId, content_index: 0,
        transcript: result.text, usage: transcriptionUsage(config, result.text, result.durationMs),
      });
    }).catch((error: unknown) => this.logger.log('error', `transcription events for ${itemId}: ${String(error)}`));
  }

  private recognize(stored: StoredItem, language?: string): Promise<Recognition> {
    let result = this.results.get(stored);
    if (!result) {
      result = this.run(stored, language);
      this.results.set(stored, result);
    }
    return result;
  }

  private recognized(stored: StoredItem, index: number, words: string, durationMs: number): Recognition {
    const text = words.trim();
    const item = stored.item;
    const part = item.type === 'message' && item.role === 'user' ? item.content[index] : undefined;
    if (part?.type === 'input_audio') part.transcript = text;
    return { ok: true, text, durationMs };
  }

  private async run(stored: StoredItem, language?: string): Promise<Recognition> {
    const [index, audio] = [...stored.audio.entries()][0] ?? [0, undefined];
    const live = isEnglish(language) ? this.live.get(stored) : undefined;
    if (live && audio) {
      try {
        return this.recognized(stored, index, await live, audio.durationMs);
      } catch (error) {
        this.logger.log('warn', `live recognition of ${stored.item.id} failed, recognizing it again: ${errorMessage(error)}`);
      }
    }
    if (!this.transcriber) {
      return { ok: false, code: 'transcriber_unavailable', message: `Input audio could not be transcribed: ${this.missingReason}.` };
    }
    if (!audio?.pcm) return { ok: false, code: 'audio_unavailable', message: 'The item has no audio to transcribe.' };
    try {
      const text = await this.transcriber.transcribe(audio.pcm, audio.sampleRate, language ? { language } : undefined);
      return this.recognized(stored, index, text, audio.durationMs);
    } catch (error) {
      const message = errorMessage(error);
      this.logger.log('warn', `transcription of ${stored.item.id} failed: ${message}`);
      return { ok: false, code: 'transcription_failed', message: `Input audio could not be transcribed: ${message}` };
    }
  }
}


/** whisper-1 is billed by duration; the gpt-4o transcribe models by tokens (usage.ts rates). */
function transcriptionUsage(config: TranscriptionConfig, text: string, durationMs: number) {
  if (config.model === 'whisper-1') return { type: 'duration' as const, seconds: Math.round(durationMs / 100) / 10 };
  const audioTokens = userAudioTokens(durationMs);
  const promptTokens = textTokens(config.prompt ?? '');
  const outputTokens = textTokens(text);
  return {
    type: 'tokens' as const,
    input_tokens: audioTokens + promptTokens,
    output_tokens: outputTokens,
    total_tokens: audioTokens + promptTokens + outputTokens,
    input_token_details: { text_tokens: promptTokens, audio_tokens: audioTokens },
  };
}
