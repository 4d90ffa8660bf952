import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { int16ToBuffer } from '../../src/audio/pcm16.js';
import { parseWav, type WavAudio } from '../../src/audio/wav.js';
import type { EventRecord } from '../../src/recording/recording-files.js';
import { sine } from '../helpers/audio-signals.js';

export const RATE = 24000;

export function tone(ms: number, frequency: number): Buffer {
  return int16ToBuffer(sine({ frequency, sampleRate: RATE, ms, amplitude: 8000 }));
}

/** A controllable monotonic clock in ms. */
export class FakeClock {
  ms = 1000; // not zero: the recorder must measure from its own start
  readonly now = (): number => this.ms;
  at(elapsed: number): void {
    this.ms = 1000 + elapsed;
  }
}

export function readEvents(dir: string): EventRecord[] {
  const text = readFileSync(join(dir, 'events.jsonl'), 'utf8');
  assertEndsWithNewline(text);
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as EventRecord);
}

function assertEndsWithNewline(text: string): void {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('events.jsonl ends in a torn line');
}

export function readWav(dir: string): WavAudio {
  return parseWav(readFileSync(join(dir, 'conversation.wav')));
}

/**
 * The spans (in ms) where one channel is audible, measured in 10 ms windows: what a
 * listener would call "someone is speaking".
 */
export function audibleSpans(wav: WavAudio, channel: 0 | 1): Array<[number, number]> {
  const windowFrames = wav.sampleRate / 100;
  const frames = wav.samples.length / wav.channels;
  const spans: Array<[number, number]> = [];
  let open: number | undefined;
  for (let start = 0; start < frames; start += windowFrames) {
    let peak = 0;
    for (let f = start; f < Math.min(frames, start + windowFrames); f++) peak = Math.max(peak, Math.abs(wav.samples[f * wav.channels + channel]!));
    const ms = (start / wav.sampleRate) * 1000;
    if (peak > 1000 && open === undefined) open = ms;
    if (peak <= 1000 && open !== undefined) {
      spans.push([open, ms]);
      open = undefined;
    }
  }
  if (open !== undefined) spans.push([open, (frames / wav.sampleRate) * 1000]);
  return spans;
}

export function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  if (Math.abs(actual - expected) > tolerance) throw new Error(`${what}: ${actual} is not within ±${tolerance} of ${expected}`);
}
