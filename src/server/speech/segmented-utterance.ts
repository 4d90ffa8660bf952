/**
 * A live utterance as a series of recognizer segments: each pause of the speaker ends
 * one (its words are decoded during the silence that may end the turn), each resumption
 * starts the next, and the turn's transcript is their words in order. Cutting at pauses
 * costs little accuracy: the language model loses context only where the speaker did.
 *
 * Audio streamed faster than real time is decoded with a faster search (see
 * DecodingSpeed), so the words are ready soon after the last of it arrives. The first
 * segment starts once the pace is known (a quarter of a second at most); its audio waits
 * here until then.
 */
import { StreamingResampler } from '../../audio/resample.js';
import { bufferToInt16 } from '../../audio/pcm16.js';
import type { HeardSoFar, LiveUtterance } from './streaming-recognizer.js';
import { InputPace } from './input-pace.js';

/**
 * `thorough`: the recognizer's full search, for speech that arrives as it is spoken;
 * `fast`: a narrower one that keeps up with audio streamed several times faster than
 * real time, at some cost in accuracy.
 */
export type DecodingSpeed = 'thorough' | 'fast';

/** One decoding channel of a recognizer, at its own sample rate. */
export interface SegmentChannel {
  readonly sampleRate: number;
  start(speed: DecodingSpeed): void;
  audio(samples: Int16Array): void;
  /** Ends the open segment; resolves its words. */
  end(): Promise<string>;
  /** Gives the channel back (drops an open segment). */
  release(): void;
  /** Optional: the open segment's words so far as they change (`segment` counts the channel's starts from 1). */
  onPartial?(listener: (segment: number, words: string) => void): void;
}

/** Silence kept while paused, to lead into the next segment; the rest is only silence. */
const MAX_PAUSED_MS = 1000;

export class SegmentedUtterance implements LiveUtterance {
  private readonly segments: Promise<string>[] = [];
  private state: 'speaking' | 'paused' | 'over' = 'speaking';
  private paused: Int16Array[] = [];
  private pausedSamples = 0;
  /** Audio of the first segment, until the pace is known and the segment starts. */
  private unstarted: Int16Array[] | undefined = [];
  private readonly resampler: StreamingResampler | undefined;
  /** Segments started so far; each one's best words yet, and whether they are its final ones. */
  private started = 0;
  private readonly heard: { words: string; final: boolean }[] = [];
  private listener: ((heard: HeardSoFar) => void) | undefined;
  private lastHeard = '';

  constructor(
    private readonly channel: SegmentChannel,
    private readonly sampleRate: number,
    private readonly pace: InputPace = new InputPace(),
  ) {
    this.resampler = sampleRate === channel.sampleRate ? undefined : new StreamingResampler(sampleRate, channel.sampleRate);
  }

  write(pcm: Buffer): void {
    if (this.state === 'over' || pcm.length === 0) return;
    const input = bufferToInt16(pcm);
    this.pace.note((input.length / this.sampleRate) * 1000);
    const samples = this.resampler ? this.resampler.push(input) : input;
    if (this.state === 'paused') return this.keepPaused(samples);
    if (!this.unstarted) return this.channel.audio(samples);
    this.unstarted.push(samples);
    if (this.pace.settled) this.startFirstSegment();
  }

  pause(): Promise<string> {
    this.startFirstSegment();
    if (this.state === 'speaking') {
      this.endSegment();
      this.state = 'paused';
    }
    const words = this.words();
    words.catch(() => undefined); // callers that only wanted the pause need not handle a failure
    return words;
  }

  listen(listener: (heard: HeardSoFar) => void): void {
    this.listener = listener;
    this.channel.onPartial?.((segment, words) => this.partial(segment, words));
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.startSegment();
    for (const samples of this.paused) this.channel.audio(samples);
    this.paused = [];
    this.pausedSamples = 0;
    this.state = 'speaking';
  }

  finish(): Promise<string> {
    if (this.state === 'over') return Promise.reject(new Error('live utterance already finished or aborted'));
    this.startFirstSegment();
    if (this.state === 'speaking') {
      const tail = this.resampler?.flush();
      if (tail?.length) this.channel.audio(tail);
      this.endSegment();
    }
    this.state = 'over';
    this.channel.release();
    return this.words();
  }

  abort(): void {
    if (this.state === 'over') return;
    this.state = 'over';
    this.channel.release();
  }

  private startFirstSegment(): void {
    const waiting = this.unstarted;
    if (!waiting || this.state === 'over') return;
    this.unstarted = undefined;
    this.startSegment();
    for (const samples of waiting) this.channel.audio(samples);
  }

  private startSegment(): void {
    this.channel.start(this.speed());
    this.heard[this.started++] = { words: '', final: false };
  }

  private speed(): DecodingSpeed {
    return this.pace.verdict() === 'fast' ? 'fast' : 'thorough';
  }

  private words(): Promise<string> {
    return Promise.all(this.segments).then((texts) => texts.map((text) => text.trim()).filter(Boolean).join(' '));
  }

  private endSegment(): void {
    const words = this.channel.end();
    // Rejections surface through finish(); an aborted utterance's are nobody's business.
    words.catch(() => undefined);
    this.segments.push(words);
    const heard = this.heard[this.started - 1]!;
    if (this.listener) words.then((text) => { Object.assign(heard, { words: text.trim(), final: true }); this.tell(); }, () => undefined);
  }

  /** A segment's first-pass words; a late one for a segment already decoded in full is old news. */
  private partial(segment: number, words: string): void {
    const heard = this.heard[segment - 1];
    if (!heard || heard.final) return;
    heard.words = words.trim();
    this.tell();
  }

  /** Tells the listener the turn's words so far, when they changed, while the turn goes on. */
  private tell(): void {
    if (!this.listener || this.state === 'over') return;
    const settledCount = this.heard.findIndex((segment) => !segment.final);
    const settled = this.heard.slice(0, settledCount < 0 ? undefined : settledCount);
    const rest = settledCount < 0 ? [] : this.heard.slice(settledCount);
    const join = (segments: { words: string }[]) => segments.map((segment) => segment.words).filter(Boolean).join(' ');
    const heard = { settled: join(settled), tentative: join(rest) };
    const key = `${heard.settled}\n${heard.tentative}`;
    if (key === this.lastHeard) return;
    this.lastHeard = key;
    this.listener(heard);
  }

  private keepPaused(samples: Int16Array): void {
    this.paused.push(samples);
    this.pausedSamples += samples.length;
    const limit = (MAX_PAUSED_MS / 1000) * this.channel.sampleRate;
    while (this.pausedSamples - (this.paused[0]?.length ?? 0) >= limit) this.pausedSamples -= this.paused.shift()!.length;
  }
}
