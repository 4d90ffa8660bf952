import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestBacklog } from '../../src/audio/rest-backlog.js';
import { DecimatedHistory } from '../../src/audio/decimated-history.js';
import { DelayLine } from '../../src/audio/delay-line.js';

/** A stream whose every sample tells where it is: mic i, reference -i (wrapped to 16 bits). */
function stream(from: number, count: number): { mic: Int16Array; reference: Int16Array } {
  const mic = new Int16Array(count);
  const reference = new Int16Array(count);
  for (let i = 0; i < count; i++) {
    mic[i] = (from + i) % 30000;
    reference[i] = -((from + i) % 30000);
  }
  return { mic, reference };
}

/** What a drain hands on: the count skipped, then the samples taken, in order. */
function drained(backlog: RestBacklog): { skipped: number; mic: number[]; reference: number[] } {
  const out = { skipped: 0, mic: [] as number[], reference: [] as number[] };
  backlog.drain((count) => { out.skipped += count; }, (mic, reference, offset, count) => {
    out.mic.push(...mic.subarray(offset, offset + count));
    out.reference.push(...reference.subarray(offset, offset + count));
  });
  return out;
}

describe('RestBacklog: blocks held as they came, handed on when read', () => {
  it('hands on everything held, oldest first, when no more than its capacity waits; then holds nothing', () => {
    const backlog = new RestBacklog(1000);
    const { mic, reference } = stream(0, 700);
    backlog.push(mic, reference, 100, 256);
    backlog.push(mic, reference, 356, 256);
    assert.equal(backlog.held, 512);
    const out = drained(backlog);
    assert.equal(out.skipped, 0);
    assert.deepEqual(out.mic, [...mic.subarray(100, 612)]);
    assert.deepEqual(out.reference, [...reference.subarray(100, 612)]);
    assert.equal(backlog.held, 0);
    assert.deepEqual(drained(backlog), { skipped: 0, mic: [], reference: [] });
  });

  it('past its capacity, counts the oldest as skipped and hands on the last `capacity` samples in order, across the ring\'s end', () => {
    const backlog = new RestBacklog(1000);
    const { mic, reference } = stream(0, 2600);
    // 10 blocks of 256 in a ring of 1000: the write position wraps twice, mid-block.
    for (let at = 0; at + 256 <= 2560; at += 256) backlog.push(mic, reference, at, 256);
    const out = drained(backlog);
    assert.equal(out.skipped, 1560);
    assert.deepEqual(out.mic, [...mic.subarray(1560, 2560)]);
    assert.deepEqual(out.reference, [...reference.subarray(1560, 2560)]);
  });

  it('a delay line and a decimated history fed through it (skip, then the rest) read as if every sample had been written', () => {
    const capacity = 3000;
    const line = new DelayLine(2000);
    const history = new DecimatedHistory(6, 400);
    const directLine = new DelayLine(2000);
    const directHistory = new DecimatedHistory(6, 400);
    assert.ok(history.rebuildLength <= capacity, 'the backlog holds what a read of the history needs');
    const backlog = new RestBacklog(capacity);
    const { mic, reference } = stream(5, 9000);
    for (let at = 0; at + 256 <= 9000; at += 256) {
      backlog.push(mic, reference, at, 256);
      directLine.write(reference, at, 256);
      directHistory.append(mic, at, 256);
    }
    backlog.drain((count) => { line.skip(count); history.skip(count); }, (m, r, offset, count) => {
      line.write(r, offset, count);
      history.append(m, offset, count);
    });
    for (const delay of [0, 17, 1500.25]) {
      const got = new Float64Array(300);
      const want = new Float64Array(300);
      line.read(delay, got);
      directLine.read(delay, want);
      assert.deepEqual(got, want, `delay ${delay}`);
    }
    const got = history.read();
    const want = directHistory.read();
    assert.deepEqual([...got.data.subarray(got.start, got.start + 400)], [...want.data.subarray(want.start, want.start + 400)]);
  });
});
