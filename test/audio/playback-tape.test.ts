import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlaybackTape } from '../../src/audio/playback-tape.js';
import { seededRandom } from '../helpers/audio-signals.js';

test('reads back what sounded when, silence where nothing did', () => {
  const tape = new PlaybackTape(1000);
  tape.record(Int16Array.from([1, 2, 3]), 10);
  tape.record(Int16Array.from([7, 8]), 20);
  assert.deepEqual([...tape.read(8, 16)], [0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 7, 8, 0, 0]);
});

test('a cut drops what had not sounded yet', () => {
  const tape = new PlaybackTape(1000);
  tape.record(Int16Array.from([1, 2, 3, 4, 5]), 0);
  tape.cut(2);
  assert.deepEqual([...tape.read(0, 6)], [1, 2, 0, 0, 0, 0]);
  tape.record(Int16Array.from([9]), 4);
  assert.deepEqual([...tape.read(0, 6)], [1, 2, 0, 0, 9, 0]);
});

test('forgets what is older than its capacity', () => {
  const tape = new PlaybackTape(1000, 0.01);
  tape.record(Int16Array.from({ length: 30 }, (_, i) => i + 1), 0);
  assert.deepEqual([...tape.read(0, 3)], [0, 0, 0]);
  assert.deepEqual([...tape.read(27, 3)], [28, 29, 30]);
});

test('reads into the caller\'s array (every sample written, silence included) and returns it', () => {
  const tape = new PlaybackTape(1000);
  tape.record(Int16Array.from([1, 2, 3]), 10);
  const out = new Int16Array(6).fill(99);
  assert.equal(tape.readInto(8, out), out);
  assert.deepEqual([...out], [0, 0, 1, 2, 3, 0]);
  assert.deepEqual([...tape.readInto(-3, new Int16Array(4).fill(99))], [0, 0, 0, 0], 'before the tape began');
});

test('records and reads across the end of its ring', () => {
  const tape = new PlaybackTape(1000, 0.01);
  tape.record(Int16Array.from([1, 2, 3, 4, 5, 6, 7]), 0);
  tape.record(Int16Array.from([11, 12, 13, 14, 15, 16, 17]), 7);
  assert.deepEqual([...tape.read(3, 12)], [0, 5, 6, 7, 11, 12, 13, 14, 15, 16, 17, 0]);
});

test('keeps the last capacity of a piece longer than the tape, and nothing of a piece before the tape\'s start', () => {
  const long = new PlaybackTape(1000, 0.01);
  long.record(Int16Array.from({ length: 25 }, (_, i) => i + 1), 3);
  assert.deepEqual([...long.read(0, 30)], [...new Array(18).fill(0), ...Array.from({ length: 10 }, (_, i) => i + 16), 0, 0]);
  const early = new PlaybackTape(1000, 0.01);
  early.record(Int16Array.from([1, 2, 3, 4, 5]), -2);
  assert.deepEqual([...early.read(-2, 6)], [0, 0, 3, 4, 5, 0]);
});

test('reads what a tape kept sample by sample reads, over random records, cuts and reads', () => {
  const random = seededRandom(3);
  const pick = (n: number): number => Math.floor(random() * n);
  const tape = new PlaybackTape(1000, 0.05);
  const model = new SampleBySampleTape(50);
  for (let step = 0; step < 3000; step++) {
    const at = pick(400) - 20;
    const kind = pick(10);
    if (kind < 5) {
      const samples = Int16Array.from({ length: pick(80) }, () => pick(65536) - 32768);
      tape.record(samples, at);
      model.record(samples, at);
    } else if (kind < 6) {
      tape.cut(at);
      model.cut(at);
    } else {
      const count = pick(90);
      assert.deepEqual(tape.readInto(at, new Int16Array(count).fill(7)), model.read(at, count), `step ${step}: ${count} from ${at}`);
    }
  }
});

/** The tape as it was written first: one sample at a time (the reference for the one above). */
class SampleBySampleTape {
  private readonly ring: Int16Array;
  private end = 0;

  constructor(capacity: number) {
    this.ring = new Int16Array(capacity);
  }

  record(samples: Int16Array, first: number): void {
    if (first > this.end) this.zero(this.end, first);
    for (let i = 0; i < samples.length; i++) this.ring[(first + i) % this.ring.length] = samples[i]!;
    this.end = Math.max(this.end, first + samples.length);
  }

  cut(first: number): void {
    if (first >= this.end) return;
    this.zero(Math.max(first, this.end - this.ring.length), this.end);
    this.end = Math.max(first, 0);
  }

  read(first: number, count: number): Int16Array {
    const out = new Int16Array(count);
    const oldest = this.end - this.ring.length;
    for (let i = 0; i < count; i++) {
      const p = first + i;
      if (p >= oldest && p < this.end && p >= 0) out[i] = this.ring[p % this.ring.length]!;
    }
    return out;
  }

  private zero(from: number, to: number): void {
    const start = Math.max(from, to - this.ring.length);
    for (let p = start; p < to; p++) if (p >= 0) this.ring[p % this.ring.length] = 0;
  }
}

test('lends a span it holds in one piece as it is, and reads any other span as readInto does', () => {
  const tape = new PlaybackTape(1000, 0.05);
  const random = seededRandom(7);
  // Four laps of the 50-sample ring, with gaps and a cut: old laps stay in the ring beyond its end.
  for (let ms = 0; ms < 200; ms += 7) tape.record(Int16Array.from({ length: 5 }, () => 1 + Math.floor(random() * 1000)), ms);
  tape.cut(190);
  let lent = 0;
  for (let from = -20; from < 230; from++) {
    for (const count of [1, 8, 30]) {
      const scratch = new Int16Array(count);
      const span = tape.readLent(from, scratch);
      assert.deepEqual([...span], [...tape.read(from, count)], `${count} samples from ${from} ms`);
      if (span !== scratch) lent += 1;
    }
  }
  assert.ok(lent > 50, `lent ${lent} spans`);
});
