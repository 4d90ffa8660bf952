import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PacedPlayer } from '../../src/audio/paced-player.js';
import type { AudioSink } from '../../src/audio/devices.js';

/** A device that records what it was given and when: the pacing is what is under test. */
class RecordingDevice extends EventEmitter implements AudioSink {
  readonly format = { sampleRate: 24000 };
  writes: Array<{ at: number; bytes: number }> = [];
  clears = 0;
  constructor(private readonly clock: { t: number } | undefined = undefined) { super(); }
  write(pcm: Buffer): void { this.writes.push({ at: this.clock ? this.clock.t : Date.now(), bytes: pcm.length }); }
  clear(): void { this.clears += 1; }
  async close(): Promise<void> {}
}

const MS = 48; // bytes per ms at 24 kHz PCM16

/**
 * A player on mock timers (node:test): its own timers drive it, and the test moves time
 * one millisecond at a time (a mock tick runs every due timer at the tick's end time).
 */
function setUp(t: TestContext, leadMs = 150, options: { outputLatencyMs?: number; startMs?: number } = {}) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: options.startMs ?? 0 });
  const device = new RecordingDevice();
  const player = new PacedPlayer(device, { leadMs, now: () => Date.now(), ...(options.outputLatencyMs === undefined ? {} : { outputLatencyMs: options.outputLatencyMs }) });
  const advance = (ms: number): void => {
    for (let elapsed = 0; elapsed < ms; elapsed += 1) t.mock.timers.tick(1);
  };
  return { device, player, advance };
}

const written = (device: RecordingDevice): number => device.writes.reduce((sum, w) => sum + w.bytes, 0);

test('a long delta is handed to the device no faster than real time plus the lead', (t) => {
  const { device, player, advance } = setUp(t, 150);
  player.writeItem('a', Buffer.alloc(2000 * MS));
  assert.equal(written(device), 150 * MS, 'only the lead at first');
  advance(500);
  const aheadMs = written(device) / MS - 500;
  assert.ok(aheadMs >= 75 - 10 && aheadMs <= 150, `between half the lead and the lead ahead, got ${aheadMs} ms`);
  assert.ok(device.writes.length <= 12, `refilled in a few writes, not every tick (${device.writes.length})`);
  advance(2000);
  assert.equal(written(device), 2000 * MS);
});

test('heard ms follows the playhead, not what was received', (t) => {
  const { player, advance } = setUp(t, 150);
  player.writeItem('a', Buffer.alloc(1000 * MS));
  advance(300);
  assert.ok(Math.abs(player.heardMs('a') - 300) <= 10, `heard ${player.heardMs('a')}`);
  assert.equal(player.receivedMs('a'), 1000);
});

test('clear stops at once: nothing more is written and heard ms freezes', (t) => {
  const { device, player, advance } = setUp(t, 150);
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

test('items are tracked separately', (t) => {
  const { player, advance } = setUp(t, 100);
  player.writeItem('a', Buffer.alloc(200 * MS));
  player.writeItem('b', Buffer.alloc(200 * MS));
  advance(300);
  assert.equal(Math.round(player.heardMs('a')), 200);
  assert.ok(Math.abs(player.heardMs('b') - 100) <= 10);
});

test('idle time does not make a silent player audible', (t) => {
  const { player, advance } = setUp(t, 150, { outputLatencyMs: 20, startMs: 1000 });
  advance(200);
  assert.equal(player.audible, false);
  player.writeItem('a', Buffer.alloc(100 * MS));
  assert.equal(player.audible, true);
  advance(300);
  assert.equal(player.audible, false, 'audible ends when the last audio has sounded');
});

test('audible is told as it changes: when audio comes, when the last of it has sounded, and when it is cleared', (t) => {
  const { player, advance } = setUp(t, 150, { outputLatencyMs: 20, startMs: 1000 });
  const told: Array<{ audible: boolean; at: number }> = [];
  player.on('audible', (audible: boolean) => told.push({ audible, at: Date.now() }));
  player.writeItem('a', Buffer.alloc(100 * MS));
  player.writeItem('a', Buffer.alloc(100 * MS));
  assert.deepEqual(told, [{ audible: true, at: 1000 }], 'once, at once');
  advance(400);
  // 200 ms of audio from 1000, heard 20 ms after it was handed over: silent from 1220.
  assert.deepEqual(told.map((x) => x.audible), [true, false]);
  assert.ok(told[1]!.at >= 1220 && told[1]!.at <= 1222, `false at ${told[1]!.at}`);
  player.writeItem('b', Buffer.alloc(1000 * MS));
  advance(100);
  player.clear();
  assert.deepEqual(told.map((x) => x.audible), [true, false, true, false]);
  assert.equal(told[3]!.at, 1500, 'cleared: silent at once');
  advance(2000);
  assert.equal(told.length, 4, 'nothing more while silent');
});

/**
 * Timers stand-in: the test decides when each one fires. Like libuv's, they fire up to a
 * millisecond before the moment asked for, measured on the player's own clock. (node:test's
 * mock timers fire exactly on time, so they cannot show this.)
 */
function withEarlyTimers(clock: { t: number }, run: (fireNext: () => boolean, nextAt: () => number | undefined) => void): void {
  const pending: Array<{ at: number; fn: () => void; cleared: boolean }> = [];
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    const timer = { at: clock.t + ms, fn, cleared: false };
    pending.push(timer);
    return { unref: () => undefined, timer };
  }) as unknown as typeof setTimeout;
  globalThis.clearTimeout = ((handle: { timer?: { cleared: boolean } } | undefined) => {
    if (handle?.timer) handle.timer.cleared = true;
  }) as unknown as typeof clearTimeout;
  try {
    run(() => {
      const live = pending.filter((timer) => !timer.cleared).sort((a, b) => a.at - b.at);
      const next = live[0];
      if (!next) return false;
      pending.splice(pending.indexOf(next), 1);
      clock.t = Math.max(clock.t, next.at - 0.9);
      next.fn();
      return true;
    }, () => pending.filter((timer) => !timer.cleared).reduce<number | undefined>((soonest, timer) => Math.min(soonest ?? Infinity, timer.at - 0.9), undefined));
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
  }
}

test('each refill costs one wake-up, even when the timer fires a little early', () => {
  const clock = { t: 0 };
  const device = new RecordingDevice(clock);
  withEarlyTimers(clock, (fireNext) => {
    const player = new PacedPlayer(device, { leadMs: 150, now: () => clock.t });
    player.writeItem('a', Buffer.alloc(3000 * MS));
    let wakeUps = 0;
    while (fireNext()) wakeUps += 1;
    assert.equal(written(device), 3000 * MS, 'everything played');
    const refills = device.writes.length - 1;
    assert.ok(refills <= Math.ceil(3000 / 75), `refilled about every half lead (${refills} refills)`);
    assert.ok(wakeUps <= refills + 1, `${wakeUps} wake-ups for ${refills} refills`);
    let sent = 0;
    const heldAtRefill = device.writes.map((w) => { const held = sent / MS - w.at; sent += w.bytes; return held; }).slice(1);
    assert.ok(Math.min(...heldAtRefill) >= 70, `refilled while the device still held half the lead (${Math.min(...heldAtRefill)} ms)`);
  });
});

test('a refill that comes too late to be sure the device never ran dry is reported as an underrun; on-time refills are not', () => {
  const clock = { t: 0 };
  const device = new RecordingDevice(clock);
  withEarlyTimers(clock, (fireNext) => {
    const player = new PacedPlayer(device, { leadMs: 150, outputLatencyMs: 20, now: () => clock.t });
    const underruns: Array<{ from: number; lateMs: number }> = [];
    player.on('underrun', (u: { from: number; lateMs: number }) => underruns.push(u));
    player.writeItem('a', Buffer.alloc(1000 * MS));
    assert.ok(fireNext() && fireNext(), 'two refills on time');
    assert.equal(underruns.length, 0, 'a first write to an idle player and on-time refills are no underrun');
    // The process was starved: the next wake-up comes 100 ms after the device ran out.
    const ranOutAt = written(device) / MS;
    clock.t = ranOutAt + 100;
    assert.ok(fireNext());
    assert.equal(underruns.length, 1);
    assert.ok(Math.abs(underruns[0]!.from - (ranOutAt + 20)) < 1e-6, 'from when the audio handed over ran out, as it sounds');
    assert.ok(Math.abs(underruns[0]!.lateMs - 100) < 1e-6);
    while (fireNext()) { /* plays out on time */ }
    assert.equal(underruns.length, 1, 'no more after it');
  });
});

test('a refill late by less than what the device buffers itself is no underrun; later than that, it is', () => {
  const clock = { t: 0 };
  const device = new RecordingDevice(clock);
  withEarlyTimers(clock, (fireNext) => {
    const player = new PacedPlayer(device, { leadMs: 40, deviceBufferMs: 30, now: () => clock.t });
    const underruns: unknown[] = [];
    player.on('underrun', (u) => underruns.push(u));
    player.writeItem('a', Buffer.alloc(1000 * MS));
    assert.ok(fireNext());
    clock.t = written(device) / MS + 20;
    assert.ok(fireNext());
    assert.equal(underruns.length, 0, '20 ms late: the device still played its own 30 ms');
    clock.t = written(device) / MS + 40;
    assert.ok(fireNext());
    assert.equal(underruns.length, 1, '40 ms late: it may have run dry');
  });
});

function setUpBurst(leadMs = 150, burstLeadMs = 1000) {
  const clock = { t: 0 };
  const device = new RecordingDevice(clock);
  const player = new PacedPlayer(device, { leadMs, burstLeadMs, tickMs: 1_000_000, now: () => clock.t });
  const advance = (ms: number, step = 10): void => {
    for (let elapsed = 0; elapsed < ms; elapsed += step) {
      clock.t += step;
      (player as unknown as { pump(): void }).pump();
    }
  };
  return { clock, device, player, advance };
}

test('a reply that arrived in a burst is handed over a second at a time, in few writes, still at real-time pace', () => {
  const { device, player, advance } = setUpBurst();
  player.writeItem('a', Buffer.alloc(5000 * MS));
  assert.equal(written(device), 1000 * MS, 'the burst lead at once');
  advance(2000);
  const aheadMs = written(device) / MS - 2000;
  assert.ok(aheadMs >= 500 - 10 && aheadMs <= 1000, `between half the burst lead and the burst lead ahead, got ${aheadMs} ms`);
  assert.ok(device.writes.length <= 6, `about two writes a second (${device.writes.length})`);
  assert.ok(Math.abs(player.heardMs('a') - 2000) <= 10, `heard ms still follows the playhead (${player.heardMs('a')})`);
  advance(4000);
  assert.equal(written(device), 5000 * MS);
});

test('audio arriving at speaking pace keeps the normal lead when a burst lead is set', () => {
  const { clock, device, player, advance } = setUpBurst();
  let maxAheadMs = 0;
  for (let delta = 0; delta < 30; delta++) {
    player.writeItem('a', Buffer.alloc(100 * MS));
    advance(100);
    maxAheadMs = Math.max(maxAheadMs, written(device) / MS - clock.t);
  }
  assert.ok(maxAheadMs <= 150, `never more than the lead ahead (${maxAheadMs} ms)`);
});

test('after a cleared burst the next reply starts with the normal lead', () => {
  const { device, player, advance } = setUpBurst();
  player.writeItem('a', Buffer.alloc(5000 * MS));
  advance(300);
  player.clear();
  const before = written(device);
  player.writeItem('b', Buffer.alloc(500 * MS));
  assert.equal(written(device) - before, 150 * MS, 'the burst it had queued is forgotten');
});

test('restartDevice restarts the device only while nothing is queued or sounding, and says the timeline starts over', (t) => {
  const { device, player, advance } = setUp(t, 150);
  const cleared: number[] = [];
  player.on('cleared', (from: number) => cleared.push(from));
  player.writeItem('a', Buffer.alloc(500 * MS));
  advance(100);
  assert.equal(player.restartDevice(), false, 'a reply is queued');
  advance(350);
  assert.equal(player.restartDevice(), false, 'the end of the reply still sounds');
  advance(200);
  assert.equal(player.restartDevice(), true);
  assert.equal(device.clears, 1);
  assert.deepEqual(cleared, [650]);
  player.writeItem('b', Buffer.alloc(100 * MS));
  assert.equal(written(device) - 500 * MS, 100 * MS, 'the next reply goes out at once on the fresh device');
});

test('held (the device being moved): nothing reaches the device, and what sounded is counted from the release, not the write', async (t) => {
  const { device, player, advance } = setUp(t, 150);
  let release!: () => void;
  player.holdUntil(new Promise<void>((resolve) => { release = resolve; }));
  player.writeItem('a', Buffer.alloc(1000 * MS));
  advance(300);
  assert.equal(written(device), 0, 'nothing handed over while held');
  assert.equal(player.heardMs('a'), 0);
  release();
  await Promise.resolve();
  assert.equal(written(device), 150 * MS, 'the lead, once released');
  advance(200);
  assert.ok(Math.abs(player.heardMs('a') - 200) <= 5, `heard ${player.heardMs('a')} ms, 200 ms after the release`);
});

test('kept fed, the idle device is topped up with silence; keepFed(false) lets it run dry and stops the wake-ups, keepFed(true) starts again', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const device = new RecordingDevice();
  const player = new PacedPlayer(device, { leadMs: 150, keepFedMs: 60, now: () => Date.now() });
  const advance = (ms: number): void => {
    for (let elapsed = 0; elapsed < ms; elapsed += 1) t.mock.timers.tick(1);
  };
  player.keepFed(false);
  advance(1000);
  assert.equal(device.writes.length, 0, 'nothing fed while turned off');
  player.keepFed(true);
  assert.equal(written(device), 60 * MS, 'fed at once when turned on');
  advance(1000);
  const fedMs = written(device) / MS;
  assert.ok(fedMs >= 1000 + 30 && fedMs <= 1000 + 60, `stays 30-60 ms ahead of the playhead, fed ${fedMs} ms over 1000 ms`);
  player.keepFed(false);
  const before = device.writes.length;
  advance(1000);
  assert.equal(device.writes.length, before, 'no more silence, no more wake-ups');
  player.writeItem('a', Buffer.alloc(100 * MS));
  assert.equal(written(device) / MS, fedMs + 100, 'a reply still plays while not kept fed');
});

test('kept fed and topped up as each microphone chunk comes (85 ms), it wakes for no timer of its own; once the chunks stop, its timer feeds on, and the device never runs dry', () => {
  const clock = { t: 0 };
  const device = new RecordingDevice(clock);
  withEarlyTimers(clock, (fireNext, nextAt) => {
    const player = new PacedPlayer(device, { leadMs: 150, keepFedMs: 60, deviceBufferMs: 30, now: () => clock.t });
    const underruns: unknown[] = [];
    player.on('underrun', (underrun) => underruns.push(underrun));
    let wakeUps = 0;
    const runUntil = (t: number): void => {
      while ((nextAt() ?? Infinity) <= t) { fireNext(); wakeUps += 1; }
      clock.t = t;
    };
    player.keepFed(true);
    const chunks = 24;
    for (let chunk = 1; chunk <= chunks; chunk++) {
      runUntil(chunk * 85);
      player.topUpSilence(85);
    }
    assert.ok(wakeUps <= 2, `${wakeUps} timer wake-ups over ${chunks} chunks`);
    let sent = 0;
    const ahead = device.writes.map((w) => { const left = sent / MS - w.at; sent += w.bytes; return left; }).slice(2);
    assert.ok(Math.min(...ahead) >= 10, `the silence ran down to ${Math.min(...ahead)} ms before a chunk topped it up`);
    assert.ok(written(device) / MS - clock.t <= 85 + 20 + 1, `at most a chunk and a margin ahead (${written(device) / MS - clock.t} ms)`);
    const before = wakeUps;
    runUntil(clock.t + 1000);
    assert.ok(wakeUps - before >= 25, `the timer fed on without chunks (${wakeUps - before} wake-ups in 1 s)`);
    assert.ok(written(device) / MS - clock.t >= 0, 'still ahead of the playhead');
    assert.deepEqual(underruns, []);
  });
});

test('given keepFedMs, nothing is fed (so no device started) until keepFed(true): the session may still be starting', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const device = new RecordingDevice();
  const player = new PacedPlayer(device, { leadMs: 150, keepFedMs: 60, now: () => Date.now() });
  await new Promise((resolve) => setImmediate(resolve));
  for (let elapsed = 0; elapsed < 500; elapsed += 1) t.mock.timers.tick(1);
  assert.equal(device.writes.length, 0, 'nothing written before keepFed(true)');
  player.keepFed(true);
  assert.equal(written(device), 60 * MS, 'fed once turned on');
});

/** A device that must open before it plays (as SoX does): untilOpen() says so until the test opens it. */
class OpeningDevice extends RecordingDevice {
  asked = 0;
  private opened: Promise<void> | undefined;
  private resolveOpen: (() => void) | undefined;

  untilOpen(): Promise<void> | undefined {
    this.asked += 1;
    if (!this.opened && this.resolveOpen === undefined) return undefined;
    return this.opened;
  }

  /** From now on the device is closed (not started, or being replaced) until open(). */
  shut(): void {
    this.opened = new Promise<void>((resolve) => { this.resolveOpen = resolve; });
  }

  open(): void {
    this.resolveOpen?.();
    this.resolveOpen = undefined;
    this.opened = undefined;
  }
}

function setUpOpening(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
  const device = new OpeningDevice({ t: 0 });
  const player = new PacedPlayer(device, { leadMs: 150, now: () => Date.now() });
  const advance = (ms: number): void => {
    for (let elapsed = 0; elapsed < ms; elapsed += 1) t.mock.timers.tick(1);
  };
  return { device, player, advance };
}

test('a device that opens late: nothing is handed to it and nothing counts as heard until it is open, then heard from the opening', async (t) => {
  const { device, player, advance } = setUpOpening(t);
  const sounding: number[] = [];
  player.on('sounding', (_pcm: Buffer, startsAt: number) => sounding.push(startsAt));
  device.shut();
  player.writeItem('a', Buffer.alloc(1000 * MS));
  advance(400);
  assert.equal(written(device), 0, 'handed to a device that is not open');
  assert.equal(player.heardMs('a'), 0, 'counted as heard before the device was open');
  assert.equal(player.audible, true, 'a reply waiting for the device is audible (about to be)');
  device.open();
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(written(device), 150 * MS, 'the lead, once open');
  assert.equal(sounding[0], 400, 'the timeline starts at the opening');
  advance(300);
  assert.ok(Math.abs(player.heardMs('a') - 300) <= 5, `heard ${player.heardMs('a')} ms, 300 ms after the opening`);
});

test('a barge-in during the opening: nothing was heard, and the next reply waits for the (new) device to open', async (t) => {
  const { device, player, advance } = setUpOpening(t);
  device.shut();
  player.writeItem('a', Buffer.alloc(1000 * MS));
  advance(100);
  player.clear();
  assert.equal(player.heardMs('a'), 0);
  // The device was killed by the clear: it opens again only for the next reply.
  device.open();
  device.shut();
  await Promise.resolve();
  player.writeItem('b', Buffer.alloc(500 * MS));
  advance(200);
  assert.equal(written(device), 0, 'handed to a device that is not open yet');
  device.open();
  await Promise.resolve();
  await Promise.resolve();
  advance(100);
  assert.ok(Math.abs(player.heardMs('b') - 100) <= 5, `heard ${player.heardMs('b')} ms of b, 100 ms after the opening`);
  assert.equal(player.heardMs('a'), 0);
});

test('a device that died mid-reply (restart): what it held did not sound, and the rest waits for the new one to open', async (t) => {
  const { device, player, advance } = setUpOpening(t);
  const underruns: unknown[] = [];
  player.on('underrun', (underrun: unknown) => underruns.push(underrun));
  player.on('restart', () => undefined);
  player.writeItem('a', Buffer.alloc(2000 * MS));
  advance(500);
  const handed = written(device) / MS;
  assert.ok(handed > 500, 'the lead is ahead of the playhead');
  device.shut();
  device.emit('restart', 'audio output stopped: SoX crashed');
  advance(300);
  assert.ok(Math.abs(player.heardMs('a') - 500) <= 5, `heard ${player.heardMs('a')} ms: what the dead device held counted as heard`);
  assert.equal(written(device) / MS, handed, 'handed to the new device before it was open');
  device.open();
  await Promise.resolve();
  await Promise.resolve();
  advance(200);
  assert.ok(Math.abs(player.heardMs('a') - 700) <= 5, `heard ${player.heardMs('a')} ms: 500 before the death, 200 since the new device opened`);
  assert.deepEqual(underruns, [], 'a fresh device is no underrun');
});
