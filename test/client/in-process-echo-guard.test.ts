import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { InProcessEchoGuard } from '../../src/client/in-process-echo-guard.js';
import { AcousticEchoCanceller } from '../../src/audio/acoustic-echo-canceller.js';
import { int16ToBuffer, bufferToInt16 } from '../../src/audio/pcm16.js';
import { seededRandom } from '../helpers/audio-signals.js';
import { RATE, db, echoScene, energy, farEndSpeech } from '../helpers/echo-path.js';

/**
 * The guard as kaiwa runs it, on a simulated clock: the speaker announces each 100 ms
 * piece it plays and when it sounds; the microphone hears the room's echo of it
 * `delayMs` later and delivers it in 85 ms chunks (SoX on PulseAudio) that arrive up to
 * 25 ms late, unevenly.
 */
function converse(delayMs: number) {
  const far = farEndSpeech();
  const scene = echoScene({ delayMs, gainDb: -6, far, tailSeconds: 1 });
  let now = 0;
  const playFrom = 0;
  const fed: boolean[] = [];
  const topUps: Array<{ ms: number; fed: boolean }> = [];
  const speaker = Object.assign(new EventEmitter(), {
    format: { sampleRate: RATE },
    get audible() { return now >= playFrom && now < playFrom + (far.length * 1000) / RATE; },
    keepFed: (on: boolean) => { fed.push(on); },
    topUpSilence: (ms: number) => { topUps.push({ ms, fed: fed.at(-1)! }); },
  });
  const changes: boolean[] = [];
  const guard = new InProcessEchoGuard(speaker, { now: () => now, onChange: (halfDuplex) => changes.push(halfDuplex) });
  const piece = RATE / 10;
  let played = 0;
  // The player hands audio to the device 150 ms ahead of when it sounds.
  const playAhead = (): void => {
    for (; played < far.length && playFrom + (played * 1000) / RATE <= now + 150; played += piece) {
      speaker.emit('sounding', int16ToBuffer(far.subarray(played, played + piece)), playFrom + (played * 1000) / RATE);
    }
  };
  const jitter = seededRandom(5);
  const out = new Int16Array(scene.mic.length);
  const chunk = 2048;
  let halfDuplexAt: number | undefined;
  for (let at = 0; at + chunk <= scene.mic.length; at += chunk) {
    now = ((at + chunk) * 1000) / RATE + 30 + jitter() * 25;
    playAhead();
    out.set(bufferToInt16(guard.filter(int16ToBuffer(scene.mic.subarray(at, at + chunk)))), at);
    if (guard.halfDuplex && halfDuplexAt === undefined) halfDuplexAt = now;
  }
  return { scene, out, guard, changes, halfDuplexAt, speaker, fed, topUps, now: () => now };
}

test('300 ms path through kaiwa\'s own timeline: the echo is cancelled and the guard stays full duplex', () => {
  const { scene, out, guard, changes } = converse(300);
  const latency = guard.canceller.latencySamples;
  const from = scene.echoStart + 3 * RATE;
  const to = farEndSpeech().length + scene.echoStart;
  const removed = db(energy(scene.mic, from, to) / Math.max(energy(out.subarray(latency), from, to), 1));
  // The delay found includes kaiwa's assumed capture latency and the arrival jitter.
  assert.ok(guard.status.delayMs !== undefined && Math.abs(guard.status.delayMs - 300) < 40, `delay ${guard.status.delayMs}`);
  assert.ok(removed >= 25, `removed ${removed.toFixed(1)} dB`);
  assert.deepEqual(changes, [], 'never half-duplex');
});

test('a path beyond the search range (900 ms): half-duplex takes over within about a second of echo, and says so once', () => {
  const { scene, changes, halfDuplexAt, guard } = converse(900);
  assert.deepEqual(changes, [true]);
  const echoStartMs = (scene.echoStart * 1000) / RATE;
  assert.ok(halfDuplexAt !== undefined && halfDuplexAt - echoStartMs < 2500, `half-duplex at ${halfDuplexAt} ms, echo from ${echoStartMs} ms`);
  assert.equal(guard.status.converged, false);
});

test('the speaker is kept fed between replies only once the echo path is found (its timeline must then stay whole), and no longer once it is lost', () => {
  const { guard, speaker, fed, now } = converse(300);
  assert.deepEqual(fed, [false, true], 'off with the guard, on with the delay found');
  const quiet = int16ToBuffer(new Int16Array(2048));
  speaker.emit('cleared', now());
  speaker.emit('sounding', int16ToBuffer(new Int16Array(2400)), now() + 3000);
  guard.filter(quiet);
  assert.deepEqual(fed, [false, true, false], 'off again when the delay is searched afresh');
});

test('while the speaker is kept fed, each chunk filtered tops its silence up for as long as the chunk lasts (no timer of the player\'s wakes the process); not otherwise', () => {
  const { topUps, fed } = converse(300);
  assert.deepEqual(fed, [false, true]);
  assert.ok(topUps.length > 20, `${topUps.length} top-ups`);
  assert.ok(topUps.every((topUp) => topUp.fed && Math.abs(topUp.ms - (2048 * 1000) / RATE) < 1e-9), JSON.stringify(topUps.find((topUp) => !topUp.fed || topUp.ms !== (2048 * 1000) / RATE)));
});

test('a microphone that never hears the speaker (headphones) never has the speaker kept fed', () => {
  const far = farEndSpeech();
  let now = 0;
  const fed: boolean[] = [];
  const speaker = Object.assign(new EventEmitter(), { format: { sampleRate: RATE }, audible: true, keepFed: (on: boolean) => { fed.push(on); } });
  const guard = new InProcessEchoGuard(speaker, { now: () => now });
  const noise = seededRandom(9);
  const chunk = 2048;
  for (let at = 0; at + chunk <= far.length; at += chunk) {
    speaker.emit('sounding', int16ToBuffer(far.subarray(at, at + chunk)), (at * 1000) / RATE);
    now = ((at + chunk) * 1000) / RATE + 30;
    guard.filter(int16ToBuffer(Int16Array.from({ length: chunk }, () => Math.round((noise() - 0.5) * 20))));
  }
  assert.equal(guard.status.delayMs, undefined);
  assert.deepEqual(fed, [false]);
});

test('a barge-in\'s clear keeps the alignment for what already sounded, and the delay is searched again once the next reply sounds', () => {
  const { guard, speaker, now } = converse(300);
  assert.ok(guard.status.delayMs !== undefined, 'aligned during the reply');
  // The device restarts (its timeline starts an unknown time later); the user goes on talking.
  const quiet = int16ToBuffer(new Int16Array(2048));
  speaker.emit('cleared', now());
  guard.filter(quiet);
  assert.ok(guard.status.delayMs !== undefined, 'the echo of what sounded before the clear is still where it was');
  speaker.emit('sounding', int16ToBuffer(new Int16Array(2400)), now() + 3000);
  guard.filter(quiet);
  assert.equal(guard.status.delayMs, undefined, 'the next reply, on the new timeline, is searched afresh');
});

test('the canceller is built by prepare() or the first chunk it filters, not with the guard (nothing needs it for the first append), and once', () => {
  const speaker = Object.assign(new EventEmitter(), { format: { sampleRate: RATE }, audible: false });
  const made: number[] = [];
  const guard = new InProcessEchoGuard(speaker, {
    createCanceller: (rate, maxDelayMs) => { made.push(maxDelayMs); return new AcousticEchoCanceller(rate, { maxDelayMs }); },
  });
  speaker.emit('sounding', Buffer.alloc(480), 0);
  assert.deepEqual(made, [], 'not with the guard, nor for what the speaker plays');
  guard.prepare();
  assert.deepEqual(made, [700]);
  guard.filter(Buffer.alloc(4096));
  guard.prepare();
  assert.equal(made.length, 1, 'built once');
});

test('a guard never prepared builds its canceller for the first chunk it filters', () => {
  const speaker = Object.assign(new EventEmitter(), { format: { sampleRate: RATE }, audible: false });
  let made = 0;
  const guard = new InProcessEchoGuard(speaker, { createCanceller: (rate, maxDelayMs) => { made++; return new AcousticEchoCanceller(rate, { maxDelayMs }); } });
  assert.equal(guard.filter(Buffer.alloc(4096)).length, 4096);
  assert.equal(made, 1);
});

test('every chunk returned keeps what the canceller made of it while later chunks are filtered, chunks at odd byte offsets included', () => {
  const { mic: heard, reference: played } = echoScene({ delayMs: 200, gainDb: -6, far: farEndSpeech() });
  let now = 0;
  const speaker = Object.assign(new EventEmitter(), { format: { sampleRate: RATE }, audible: true });
  const given: Array<{ mic: Int16Array; reference: Int16Array }> = [];
  const guard = new InProcessEchoGuard(speaker, {
    now: () => now,
    tap: { captured: (mic, reference) => given.push({ mic: mic.slice(), reference: reference.slice() }), sounding() {}, cleared() {} },
  });
  const kept: Buffer[] = [];
  const sizes = [2048, 1320, 4096, 960, 2500];
  for (let at = 0, i = 0; at < 5 * RATE; i++) {
    const count = sizes[i % sizes.length]!;
    speaker.emit('sounding', int16ToBuffer(played.subarray(at, at + count)), (at * 1000) / RATE);
    now = ((at + count) * 1000) / RATE + 30;
    const bytes = int16ToBuffer(heard.subarray(at, at + count));
    // Every other chunk as a pipe may hand it over: one byte into its memory.
    const chunk = i % 2 ? Buffer.concat([Buffer.alloc(1), bytes]).subarray(1) : bytes;
    kept.push(guard.filter(chunk));
    at += count;
  }
  assert.ok(given.length === kept.length && kept.some((b, i) => i % 2 === 1 && b.length > 0));
  const canceller = new AcousticEchoCanceller(RATE, { maxDelayMs: 700 });
  given.forEach(({ mic, reference }, i) => {
    assert.deepEqual(bufferToInt16(kept[i]!), canceller.process(mic, reference), `chunk ${i}`);
  });
  assert.ok(given.some(({ reference }) => reference.some((s) => s !== 0)), 'the tape was read');
});
