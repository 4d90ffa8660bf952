import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PacedPlayer } from '../../src/audio/paced-player.js';
import type { AudioSink } from '../../src/audio/devices.js';

/** A device that records what it was given and when: the pacing is what is under test. */
class RecordingDevice extends EventEmitter implements AudioSink {
  readonly format = { sampleRate: 24000 };
  writes: Array<{ at: number; bytes: number }> = [];
  clears = 0;
  constructor(private readonly clock: { t: number }) { super(); }
  write(pcm: Buffer): void { this.writes.push({ at: this.clock.t, bytes: pcm.length }); }
  clear(): void { this.clears += 1; }
  async close(): Promise<void> {}
}

const MS = 48; // bytes per ms at 24 kHz PCM16

function setUp(leadMs = 150) {
  const clock = { t: 0 };
  const device = new RecordingDevice(clock);
  const player = new PacedPlayer(device, { leadMs, tickMs: 1_000_000, now: () => clock.t });
  const advance = (ms: number, step = 10): void => {
    for (let elapsed = 0; elapsed < ms; elapsed += step) {
      clock.t += step;
      (player as unknown as { pump(): void }).pump();
    }
  };
  return { clock, device, player, advance };
}

const written = (device: RecordingDevice): number => device.writes.reduce((sum, w) => sum + w.bytes, 0);

test('a long delta is handed to the device no faster than real time plus the lead', () => {
  const { device, player, advance } = setUp(150);
  player.writeItem('a', Buffer.alloc(2000 * MS));
  assert.equal(written(device), 150 * MS, 'only the lead at first');
  advance(500);
  const aheadMs = written(device) / MS - 500;
  assert.ok(aheadMs >= 75 - 10 && aheadMs <= 150, `between half the lead and the lead ahead, got ${aheadMs} ms`);
  assert.ok(device.writes.length <= 12, `refilled in a few writes, not every tick (${device.writes.length})`);
  advance(2000);
  assert.equal(written(device), 2000 * MS);
});

test('heard ms follows the playhead, not what was received', () => {
  const { player, advance } = setUp(150);
  player.writeItem('a', Buffer.alloc(1000 * MS));
  advance(300);
  assert.ok(Math.abs(player.heardMs('a') - 300) <= 10, `heard ${player.heardMs('a')}`);
  assert.equal(player.receivedMs('a'), 1000);
});

test('clear stops at once: nothing more is written and heard ms freezes', () => {
  const { device, player, advance } = setUp(150);
  player.writeItem('a', Buffer.alloc(3000 * MS));
  advance(400);
  player.clear();
  const at = written(device);
  const heard = player.heardMs('a');
  advance(1000);
  assert.equal(written(device), at);
  assert.equal(player.heardMs('a'), heard);
  assert.equal(device.clears, 1);
  assert.equal(player.audible, false);
});

test('items are tracked separately', () => {
  const { player, advance } = setUp(100);
  player.writeItem('a', Buffer.alloc(200 * MS));
  player.writeItem('b', Buffer.alloc(200 * MS));
  advance(300);
  assert.equal(Math.round(player.heardMs('a')), 200);
  assert.ok(Math.abs(player.heardMs('b') - 100) <= 10);
});

test('idle ticks do not make a silent player audible', () => {
  const clock = { t: 1000 };
  const player = new PacedPlayer(new RecordingDevice(clock), { leadMs: 150, outputLatencyMs: 20, tickMs: 1_000_000, now: () => clock.t });
  const advance = (ms: number): void => {
    for (let elapsed = 0; elapsed < ms; elapsed += 10) {
      clock.t += 10;
      (player as unknown as { pump(): void }).pump();
    }
  };
  advance(200);
  assert.equal(player.audible, false);
  player.writeItem('a', Buffer.alloc(100 * MS));
  assert.equal(player.audible, true);
  advance(300);
  assert.equal(player.audible, false, 'audible ends when the last audio has sounded');
});
