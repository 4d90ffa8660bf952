import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlaybackLatencyWatch } from '../../src/client/playback-latency-watch.js';

describe('PlaybackLatencyWatch', () => {
  it('asks for a restart once the delay grew 80 ms past its first lock and the speaker has been quiet 1 s', () => {
    const watch = new PlaybackLatencyWatch();
    assert.equal(watch.update(0, undefined, true), undefined);
    assert.equal(watch.update(100, 483, true), undefined);
    assert.equal(watch.update(2000, 560, true), undefined, '77 ms more: drift and small steps, no restart');
    assert.equal(watch.update(3000, 588, true), undefined, 'grown, but the reply still plays');
    assert.equal(watch.update(3500, 588, false), undefined, 'quiet for 0 ms');
    assert.equal(watch.update(4400, 588, false), undefined, 'quiet for 900 ms');
    assert.deepEqual(watch.update(4500, 588, false), { firstMs: 483, nowMs: 588 });
  });

  it('never restarts while the delay stays near its first lock, however long the silence', () => {
    const watch = new PlaybackLatencyWatch();
    watch.update(0, 300, true);
    for (let t = 1000; t < 60_000; t += 1000) assert.equal(watch.update(t, 300 + t / 10_000, false), undefined);
  });

  it('a speaker that sounds again puts the restart off until it has been quiet long enough', () => {
    const watch = new PlaybackLatencyWatch();
    watch.update(0, 300, true);
    watch.update(1000, 400, false);
    watch.update(1500, 400, true);
    assert.equal(watch.update(2000, 400, false), undefined);
    assert.equal(watch.update(2900, 400, false), undefined);
    assert.ok(watch.update(3000, 400, false));
  });

  it('after a restart the next lock is the new first one', () => {
    const watch = new PlaybackLatencyWatch();
    watch.update(0, 300, true);
    watch.update(1000, 400, false);
    assert.ok(watch.update(2000, 400, false));
    watch.restarted();
    assert.equal(watch.update(3000, undefined, false), undefined, 'searching again');
    assert.equal(watch.update(4000, 420, true), undefined, 'the new first lock');
    assert.equal(watch.update(6000, 470, false), undefined, '+50 ms on the new lock');
  });
});
