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

/** A cut-in this soon after a reply's audio began is "quick": a person who listened first comes later. */
const QUICK_CUT_IN_MS = 2000;
/** Quick cut-ins in a row, each saying next to nothing, that make a loop. */
const CUT_IN_STREAK = 3;

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
 *
 * Also the loop an echo path that moved makes, whose fragments are too short to compare: each
 * reply is cut off within a second or two by "the user", who then said next to nothing (a
 * syllable of the assistant's own voice, or no words at all); every cut-off restarts the
 * speaker, which leaves the next reply's echo unaligned again. Three of those in a row are a loop.
 */
export class LoopDetector {
  private readonly recent: Array<{ at: number; text: string }> = [];
  private readonly windowMs: number;
  private readonly threshold: number;
  private readonly minTokens: number;
  private readonly now: () => number;
  /** When the audio of the latest reply began to come (undefined from a new response until its audio comes). */
  private replyAudioSince: number | undefined;
  /** The user item of the last quick cut-in, until its transcript comes. */
  private cutInItem: string | undefined;
  private cutInStreak = 0;

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
    this.followCutIns(event);
    if (event.type !== 'conversation.item.input_audio_transcription.completed') return false;
    this.forgetOld();
    const tokens = comparableTokens(event.transcript).length;
    if (this.cutInsLoop(event.item_id, tokens)) return true;
    if (tokens < this.minTokens) return false;
    const said = this.recent.map((entry) => entry.text).join(' ');
    return echoSimilarity(event.transcript, said) >= this.threshold;
  }

  private followCutIns(event: ServerEvent): void {
    // Not ended by response.done: the service sends a reply's audio far faster than it
    // plays, so a reply is often done while its first second is still being heard.
    if (event.type === 'response.output_audio.delta') this.replyAudioSince ??= this.now();
    else if (event.type === 'response.created') this.replyAudioSince = undefined;
    else if (event.type === 'input_audio_buffer.speech_started') {
      const quick = this.replyAudioSince !== undefined && this.now() - this.replyAudioSince <= QUICK_CUT_IN_MS;
      this.cutInItem = quick ? event.item_id : undefined;
    }
  }

  /** Counts a quick cut-in that said next to nothing; anything else a user says ends the streak. */
  private cutInsLoop(itemId: string, tokens: number): boolean {
    const emptyCutIn = itemId === this.cutInItem && tokens < this.minTokens;
    this.cutInItem = undefined;
    this.cutInStreak = emptyCutIn ? this.cutInStreak + 1 : 0;
    if (this.cutInStreak < CUT_IN_STREAK) return false;
    this.cutInStreak = 0;
    return true;
  }

  private forgetOld(): void {
    const oldest = this.now() - this.windowMs;
    while (this.recent.length && this.recent[0]!.at < oldest) this.recent.shift();
  }
}
