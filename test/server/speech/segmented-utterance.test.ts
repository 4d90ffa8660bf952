import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentedUtterance, type DecodingSpeed, type SegmentChannel } from '../../../src/server/speech/segmented-utterance.js';
import { InputPace } from '../../../src/server/speech/input-pace.js';
import { int16ToBuffer } from '../../../src/audio/pcm16.js';

/** Records the calls; each segment's words are the number of samples it got, or a failure. */
class FakeChannel implements SegmentChannel {
  readonly log: string[] = [];
  private samples = 0;
  readonly results: Array<{ resolve(words: string): void; reject(error: Error): void }> = [];

  constructor(readonly sampleRate: number, private readonly settle: 'now' | 'later' = 'now') {}

  readonly speeds: DecodingSpeed[] = [];

  start(speed: DecodingSpeed): void {
    this.speeds.push(speed);
    this.log.push('start');
    this.samples = 0;
  }

  audio(samples: Int16Array): void {
    this.samples += samples.length;
    if (this.log.at(-1) !== 'audio') this.log.push('audio');
  }

  end(): Promise<string> {
    this.log.push('end');
    if (this.settle === 'now') return Promise.resolve(this.samples > 0 ? `${this.samples} samples` : '');
    return new Promise((resolve, reject) => this.results.push({ resolve, reject }));
  }

  release(): void {
    this.log.push('release');
  }

  /** The listener SegmentedUtterance registered for partial words, when it did. */
  partial: ((segment: number, words: string) => void) | undefined;

  onPartial(listener: (segment: number, words: string) => void): void {
    this.partial = listener;
  }
}

const ms = (duration: number, rate: number) => int16ToBuffer(new Int16Array((duration / 1000) * rate).fill(1000));

test('one segment per stretch of speech; the words of all segments are the transcript, in order', async () => {
  const channel = new FakeChannel(16000);
  const utterance = new SegmentedUtterance(channel, 16000);
  utterance.write(ms(300, 16000));
  utterance.pause();
  utterance.write(ms(100, 16000)); // silence during the pause leads into the next segment
  utterance.resume();
  utterance.write(ms(200, 16000));
  assert.equal(await utterance.finish(), '4800 samples 4800 samples');
  assert.deepEqual(channel.log, ['start', 'audio', 'end', 'start', 'audio', 'end', 'release']);
});

test('audio at another rate is resampled to the channel rate', async () => {
  const channel = new FakeChannel(16000);
  const utterance = new SegmentedUtterance(channel, 24000);
  for (let i = 0; i < 50; i++) utterance.write(ms(20, 24000));
  assert.equal(await utterance.finish(), '16000 samples');
});

test('a turn that ends during a pause waits for the segment already ending; empty segments add no words', async () => {
  const channel = new FakeChannel(16000, 'later');
  const utterance = new SegmentedUtterance(channel, 16000);
  utterance.write(ms(100, 16000));
  utterance.pause();
  utterance.resume();
  utterance.pause();
  const transcript = utterance.finish();
  assert.deepEqual(channel.log, ['start', 'audio', 'end', 'start', 'end', 'release']);
  channel.results[1]!.resolve('  ');
  channel.results[0]!.resolve('hello there');
  assert.equal(await transcript, 'hello there');
});

test('a failed segment fails the transcript; an aborted utterance leaves no unhandled rejection', async () => {
  const channel = new FakeChannel(16000, 'later');
  const failing = new SegmentedUtterance(channel, 16000);
  failing.write(ms(100, 16000));
  const transcript = failing.finish();
  channel.results[0]!.reject(new Error('decoder broke'));
  await assert.rejects(transcript, /decoder broke/);
  await assert.rejects(failing.finish(), /already finished/);

  const aborted = new SegmentedUtterance(channel, 16000);
  aborted.write(ms(100, 16000));
  aborted.pause();
  aborted.abort();
  channel.results[1]!.reject(new Error('nobody listens'));
  aborted.write(ms(100, 16000));
  assert.deepEqual(channel.log.slice(-3), ['audio', 'end', 'release']);
  await new Promise((resolve) => setImmediate(resolve));
});

test('the first segment starts once the pace is known, with all its audio in order; fast audio gets the fast search', async () => {
  const clock = { ms: 0 };
  const channel = new FakeChannel(16000);
  const utterance = new SegmentedUtterance(channel, 16000, new InputPace(() => clock.ms));
  for (let i = 0; i < 20; i++) {
    utterance.write(ms(20, 16000));
    clock.ms += 5;
  }
  assert.deepEqual(channel.log, [], '400 ms of audio in 100 ms: not yet known');
  for (let i = 0; i < 30; i++) {
    utterance.write(ms(20, 16000));
    clock.ms += 5;
  }
  assert.deepEqual(channel.log, ['start', 'audio']);
  utterance.pause();
  for (let i = 0; i < 60; i++) {
    utterance.write(ms(20, 16000));
    clock.ms += 20;
  }
  utterance.resume();
  assert.equal(await utterance.finish(), '16000 samples 16000 samples', 'no audio lost while the pace was unknown; the pause keeps its last second');
  assert.deepEqual(channel.speeds, ['fast', 'thorough'], 'the speech after the pause came as it is spoken');
});

test('a turn shorter than the time it takes to know the pace is decoded thoroughly when it ends', async () => {
  const clock = { ms: 0 };
  const channel = new FakeChannel(16000);
  const utterance = new SegmentedUtterance(channel, 16000, new InputPace(() => clock.ms));
  for (let i = 0; i < 5; i++) {
    utterance.write(ms(20, 16000));
    clock.ms += 20;
  }
  assert.deepEqual(channel.log, []);
  assert.equal(await utterance.finish(), '1600 samples');
  assert.deepEqual(channel.speeds, ['thorough']);
});

test('a listener hears the turn\'s words so far: ended segments settled once decoded in full, the rest a first guess; late guesses and words after the end are dropped', async () => {
  const channel = new FakeChannel(16000, 'later');
  const utterance = new SegmentedUtterance(channel, 16000);
  const heard: { settled: string; tentative: string }[] = [];
  utterance.listen((words) => heard.push(words));
  for (let i = 0; i < 20; i++) utterance.write(ms(50, 16000)); // enough to know the pace: the segment starts
  assert.deepEqual(channel.log, ['start', 'audio']);
  channel.partial!(1, 'i want');
  channel.partial!(1, 'i want');
  channel.partial!(1, 'i would like');
  utterance.pause();
  utterance.resume();
  channel.partial!(1, 'i would like a'); // the first segment's last guess, read after the second one started
  channel.partial!(2, 'coffee');
  channel.results[0]!.resolve('i would like a cup');
  await new Promise((resolve) => setImmediate(resolve));
  channel.partial!(1, 'too late');
  const transcript = utterance.finish();
  channel.partial!(2, 'coffee with milk');
  channel.results[1]!.resolve('of coffee');
  assert.equal(await transcript, 'i would like a cup of coffee');
  assert.deepEqual(heard, [
    { settled: '', tentative: 'i want' },
    { settled: '', tentative: 'i would like' },
    { settled: '', tentative: 'i would like a' },
    { settled: '', tentative: 'i would like a coffee' },
    { settled: 'i would like a cup', tentative: 'coffee' },
  ]);
});

test('without a listener nothing is asked of the channel', () => {
  const channel = new FakeChannel(16000);
  const utterance = new SegmentedUtterance(channel, 16000);
  utterance.write(ms(300, 16000));
  assert.equal(channel.partial, undefined);
  void utterance.finish();
});
