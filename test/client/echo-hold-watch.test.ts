import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EchoHoldWatch } from '../../src/client/echo-hold-watch.js';

const failing = { farEndActive: true, echoAudible: true, holding: false };
const holding = { farEndActive: true, echoAudible: true, holding: true };
const quietRoom = { farEndActive: true, echoAudible: false, holding: false };

test('echo not held for more than a second while the assistant speaks: half-duplex, once', () => {
  const watch = new EchoHoldWatch();
  for (let ms = 0; ms < 1000; ms += 100) assert.equal(watch.update(100, true, failing), undefined);
  assert.equal(watch.update(100, true, failing), 'half-duplex');
  assert.equal(watch.update(100, true, failing), undefined);
  assert.equal(watch.halfDuplex, true);
});

test('echo below the noise is nothing to hold: no fallback', () => {
  const watch = new EchoHoldWatch();
  for (let ms = 0; ms < 5000; ms += 100) assert.equal(watch.update(100, true, quietRoom), undefined);
  assert.equal(watch.halfDuplex, false);
});

test('half-duplex for the rest of the reply; full duplex after a reply in which it held again', () => {
  const watch = new EchoHoldWatch();
  for (let ms = 0; ms <= 1100; ms += 100) watch.update(100, true, failing);
  for (let ms = 0; ms < 600; ms += 100) assert.equal(watch.update(100, true, holding), undefined, 'not mid-reply');
  assert.equal(watch.halfDuplex, true);
  assert.equal(watch.update(100, false, holding), 'full-duplex');
  assert.equal(watch.halfDuplex, false);
});

test('a reply that ends with the canceller still failing keeps half-duplex', () => {
  const watch = new EchoHoldWatch();
  for (let ms = 0; ms <= 1100; ms += 100) watch.update(100, true, failing);
  assert.equal(watch.update(100, false, failing), undefined);
  assert.equal(watch.halfDuplex, true);
});
