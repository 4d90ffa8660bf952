/**
 * A live utterance as a series of recognizer segments: each pause of the speaker ends
 * one (its words are decoded during the silence that may end the turn), each resumption
 * starts the next, and the turn's transcript is their words in order. Cutting at pauses
 * costs little accuracy: the language model loses context only where the speaker did.
 */
import { StreamingResampler } from '../../audio/resample.js';
import { bufferToInt16 } from '../../audio/pcm16.js';
import type { LiveUtterance } from './streaming-recognizer.js';

/** One decoding channel of a recognizer, at its own sample rate. */
export interface SegmentChannel {
  readonly sampleRate: number;
  start(): void;
  audio(samples: Int16Array): void;
  /** Ends the open segment; resolves its words. */
  end(): Promise<string>;
  /** Gives the channel back (drops an open segment). */
  release(): void;
}

/** Silence kept while paused, to lead into the next segment; the rest is only silence. */
const MAX_PAUSED_MS = 1000;

export class SegmentedUtterance implements LiveUtterance {
  private readonly segments: Promise<string>[] = [];
  private state: 'speaking' | 'paused' | 'over' = 'speaking';
  private paused: Int16Array[] = [];
  private pausedSamples = 0;
  private readonly resampler: StreamingResampler | undefined;

  constructor(private readonly channel: SegmentChannel, sampleRate: number) {
    this.resampler = sampleRate === channel.sampleRate ? undefined : new StreamingResampler(sampleRate, channel.sampleRate);
    channel.start();
  }

  write(pcm: Buffer): void {
    if (this.state === 'over' || pcm.length === 0) return;
    const input = bufferToInt16(pcm);
    const samples = this.resampler ? this.resampler.push(input) : input;
    if (this.state === 'speaking') this.channel.audio(samples);
    else this.keepPaused(samples);
  }

  pause(): Promise<string> {
    if (this.state === 'speaking') {
      this.endSegment();
      this.state = 'paused';
    }
    const words = this.words();
    words.catch(() => undefined); // callers that only wanted the pause need not handle a failure
    return words;
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.channel.start();
    for (const samples of this.paused) this.channel.audio(samples);
    this.paused = [];
    this.pausedSamples = 0;
    this.state = 'speaking';
  }

  finish(): Promise<string> {
    if (this.state === 'over') return Promise.reject(new Error('live utterance already finished or aborted'));
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

  private words(): Promise<string> {
    return Promise.all(this.segments).then((texts) => texts.map((text) => text.trim()).filter(Boolean).join(' '));
  }

  private endSegment(): void {
    const words = this.channel.end();
    // Rejections surface through finish(); an aborted utterance's are nobody's business.
    words.catch(() => undefined);
    this.segments.push(words);
  }

  private keepPaused(samples: Int16Array): void {
    this.paused.push(samples);
    this.pausedSamples += samples.length;
    const limit = (MAX_PAUSED_MS / 1000) * this.channel.sampleRate;
    while (this.pausedSamples - (this.paused[0]?.length ?? 0) >= limit) this.pausedSamples -= this.paused.shift()!.length;
  }
}
