import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { AudioSource } from '../../src/audio/devices.js';
import { HeldSource } from '../../src/audio/held-source.js';

/** A source the test speaks for. */
class ScriptedSource extends EventEmitter implements AudioSource {
  readonly format = { sampleRate: 8000 };
  starts = 0;
  stops = 0;
  start(): void { this.starts += 1; }
  async stop(): Promise<void> { this.stops += 1; }
}

const chunk = (value: number, samples = 80): Buffer => Buffer.alloc(samples * 2, value);

function listen(source: AudioSource): Array<[string, ...unknown[]]> {
  const heard: Array<[string, ...unknown[]]> = [];
  source.on('data', (pcm: Buffer, late?: boolean) => heard.push(['data', pcm[0], late]));
  for (const event of ['end', 'error', 'restart']) source.on(event, (value?: unknown) => heard.push([event, value]));
  return heard;
}

test('starts its source at once, holds what it says until start(), then replays it in order, marked late', () => {
  const inner = new ScriptedSource();
  const held = new HeldSource(inner);
  assert.equal(inner.starts, 1);
  const heard = listen(held);
  inner.emit('data', chunk(1));
  inner.emit('restart', 'SoX died');
  inner.emit('data', chunk(2));
  assert.deepEqual(heard, []);
  held.start();
  assert.deepEqual(heard, [['data', 1, true], ['restart', 'SoX died'], ['data', 2, true]]);
  inner.emit('data', chunk(3));
  assert.deepEqual(heard.at(-1), ['data', 3, undefined]);
  held.start();
  assert.equal(heard.length, 4, 'a second start() replays nothing');
});

test('an error while held waits for start(): nothing is emitted before anyone listens', () => {
  const inner = new ScriptedSource();
  const held = new HeldSource(inner);
  const failure = new Error('no audio input device');
  inner.emit('error', failure);
  const heard = listen(held);
  held.start();
  assert.deepEqual(heard, [['error', failure]]);
});

test('holds only the most recent maxHeldMs of audio', () => {
  const inner = new ScriptedSource();
  // 8 kHz: 80 samples are 10 ms; 25 ms keeps two whole chunks.
  const held = new HeldSource(inner, 25);
  const heard = listen(held);
  for (let value = 1; value <= 5; value++) inner.emit('data', chunk(value));
  held.start();
  assert.deepEqual(heard, [['data', 4, true], ['data', 5, true]]);
});

test('stop() drops what was held and stops the source; nothing is emitted after', async () => {
  const inner = new ScriptedSource();
  const held = new HeldSource(inner);
  const heard = listen(held);
  inner.emit('data', chunk(1));
  await held.stop();
  assert.equal(inner.stops, 1);
  held.start();
  inner.emit('data', chunk(2));
  assert.deepEqual(heard, []);
});

test('started() is the source\'s own (resolves undefined for a source without one)', async () => {
  const inner = new ScriptedSource();
  assert.equal(await new HeldSource(inner).started(), undefined);
  const missing = new Error('SoX is not installed');
  Object.assign(inner, { started: async () => missing });
  assert.equal(await new HeldSource(inner).started(), missing);
});

test('handedOn resolves once the first audio went through to the listeners: not while held, and after they had it', async () => {
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  for (const heldFirst of [true, false]) {
    const inner = new ScriptedSource();
    const held = new HeldSource(inner);
    const heard = listen(held);
    let handedOnWith: number | undefined;
    void held.handedOn.then(() => { handedOnWith = heard.length; });
    if (heldFirst) inner.emit('data', chunk(1));
    await turn();
    assert.equal(handedOnWith, undefined, 'resolved while the audio was held');
    held.start();
    await turn();
    if (!heldFirst) {
      assert.equal(handedOnWith, undefined, 'resolved before any audio');
      inner.emit('data', chunk(1));
      await turn();
    }
    assert.equal(handedOnWith, 1, heldFirst ? 'the held audio' : 'the first audio after start()');
  }
});
