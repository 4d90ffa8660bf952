import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptureClock } from '../../src/client/capture-clock.js';

test('counts samples from the first arrival, whatever the jitter of later ones', () => {
  const clock = new CaptureClock(1000, 30);
  assert.equal(clock.place(100, 1130), 1000);
  assert.equal(clock.place(100, 1290), 1100, 'a late burst does not move the timeline');
  assert.equal(clock.place(100, 1300), 1200);
});

test('re-anchors when arrivals and the count disagree by more than 300 ms (a restarted device)', () => {
  const clock = new CaptureClock(1000, 0);
  clock.place(100, 100);
  assert.equal(clock.place(100, 5000), 4900);
  assert.equal(clock.place(100, 5100), 5000);
});
