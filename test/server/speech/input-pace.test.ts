import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputPace } from '../../../src/server/speech/input-pace.js';

/** Writes `count` 20 ms chunks, `speed` times faster than they play, on a clock the test owns. */
function feed(pace: InputPace, clock: { ms: number }, count: number, speed: number): void {
  for (let i = 0; i < count; i++) {
    pace.note(20);
    clock.ms += 20 / speed;
  }
}

test('audio as it is spoken is real time; streamed four times faster it is fast', () => {
  for (const [speed, expected] of [[1, 'real-time'], [1.5, 'real-time'], [4, 'fast']] as const) {
    const clock = { ms: 0 };
    const pace = new InputPace(() => clock.ms);
    feed(pace, clock, 100, speed);
    assert.equal(pace.settled, expected, `${speed}×`);
  }
});

test('nothing is settled before a quarter second or 750 ms of audio; until then the guess is real time', () => {
  const clock = { ms: 0 };
  const pace = new InputPace(() => clock.ms);
  assert.equal(pace.settled, undefined);
  assert.equal(pace.verdict(), 'real-time');
  feed(pace, clock, 10, 1);
  assert.equal(pace.settled, undefined, '200 ms of real-time audio');
  feed(pace, clock, 3, 1);
  assert.equal(pace.settled, 'real-time');

  const fast = new InputPace(() => clock.ms);
  feed(fast, clock, 30, 4);
  assert.equal(fast.settled, undefined, '580 ms of audio in 150 ms');
  feed(fast, clock, 10, 4);
  assert.equal(fast.settled, 'fast');
});

test('a large first write (the audio before the turn began) does not make a real-time turn fast', () => {
  const clock = { ms: 0 };
  const pace = new InputPace(() => clock.ms);
  pace.note(1500);
  feed(pace, clock, 20, 1);
  assert.equal(pace.settled, 'real-time');
});

test('the pace is that of the last second: a file streamed after live speech is fast, live speech after a file real time', () => {
  const clock = { ms: 0 };
  const pace = new InputPace(() => clock.ms);
  feed(pace, clock, 100, 1);
  feed(pace, clock, 200, 4);
  assert.equal(pace.verdict(), 'fast');
  feed(pace, clock, 60, 1);
  assert.equal(pace.verdict(), 'real-time');
});
