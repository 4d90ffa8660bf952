import type { ServerEvent } from '../protocol/events.js';

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/** Words for spaced languages; character pairs for Japanese, Chinese, Korean (no spaces to split on). */
export function comparableTokens(text: string): string[] {
  const clean = text.toLowerCase().normalize('NFKC').replace(/[\p{P}\p{S}]/gu, ' ');
  const tokens: string[] = [];
  for (const word of clean.split(/\s+/).filter(Boolean)) {
    if (!CJK.test(word)) { tokens.push(word); continue; }
    const chars = Array.from(word);
    if (chars.length === 1) tokens.push(word);
    for (let i = 0; i + 1 < chars.length; i += 1) tokens.push(chars[i]! + chars[i + 1]!);
  }
  return tokens;
}

/** Share of the user's tokens that the assistant had just said. */
export function echoSimilarity(userText: string, assistantText: string): number {
  const user = comparableTokens(userText);
  if (user.length === 0) return 0;
  const said = new Set(comparableTokens(assistantText));
  return user.filter((token) => said.has(token)).length / user.length;
}

export interface LoopDetectorOptions {
  /** How far back the assistant's words count. */
  windowMs?: number;
  threshold?: number;
  minTokens?: number;
  now?: () => number;
}

/**
 * The article's feedback loop, caught from the transcripts: when what the server heard
 * from "the user" is mostly what the assistant just said, the microphone is hearing the
 * speaker. Works in every echo-guard mode, as the last line of defence.
 */
export class LoopDetector {
  private readonly recent: Array<{ at: number; text: string }> = [];
  private readonly windowMs: number;
  private readonly threshold: number;
  private readonly minTokens: number;
  private readonly now: () => number;

  constructor(options: LoopDetectorOptions = {}) {
    this.windowMs = options.windowMs ?? 30_000;
    this.threshold = options.threshold ?? 0.6;
    this.minTokens = options.minTokens ?? 3;
    this.now = options.now ?? (() => Date.now());
  }

  /** Feeds a server event; returns true when it reveals the assistant hearing itself. */
  observe(event: ServerEvent): boolean {
    if (event.type === 'response.output_audio_transcript.done') {
      this.recent.push({ at: this.now(), text: event.transcript });
      this.forgetOld();
      return false;
    }
    if (event.type !== 'conversation.item.input_audio_transcription.completed') return false;
    this.forgetOld();
    if (comparableTokens(event.transcript).length < this.minTokens) return false;
    const said = this.recent.map((entry) => entry.text).join(' ');
    return echoSimilarity(event.transcript, said) >= this.threshold;
  }

  private forgetOld(): void {
    const oldest = this.now() - this.windowMs;
    while (this.recent.length && this.recent[0]!.at < oldest) this.recent.shift();
  }
}
