import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MicGate } from '../../src/client/mic-gate.js';

test('muting closes the gate; unmuting opens it', () => {
  const gate = new MicGate(false);
  assert.equal(gate.isOpen(), true);
  gate.muted = true;
  assert.equal(gate.isOpen(), false);
  gate.muted = false;
  assert.equal(gate.isOpen(), true);
});

test('push-to-talk sends only while talking', () => {
  const gate = new MicGate(true);
  assert.equal(gate.isOpen(), false);
  gate.talking = true;
  assert.equal(gate.isOpen(), true);
});

test('half-duplex stays closed while the assistant is audible and for the tail after', () => {
  let now = 0;
  let audible = true;
  const gate = new MicGate(false, { audible: () => audible, tailMs: 300, now: () => now });
  assert.equal(gate.isOpen(), false);
  audible = false;
  now = 200;
  assert.equal(gate.isOpen(), false, 'still in the echo tail');
  now = 301;
  assert.equal(gate.isOpen(), true);
});

test('the loop detector pause closes the gate', () => {
  const gate = new MicGate(false);
  gate.pausedForLoop = true;
  assert.equal(gate.isOpen(), false);
});

/** A 100 ms chunk at a steady amplitude (0 is digital silence). */
const chunk = (amplitude: number) => {
  const pcm = Buffer.alloc(4800);
  for (let i = 0; i < 2400; i++) pcm.writeInt16LE(i % 2 ? amplitude : -amplitude, i * 2);
  return pcm;
};

test('half-duplex: a late speaker\'s echo still arriving after the tail keeps the gate closed until the microphone is back at its background', () => {
  let now = 0;
  let audible = false;
  const gate = new MicGate(false, { audible: () => audible, tailMs: 300, now: () => now });
  for (; now < 1000; now += 100) assert.equal(gate.isOpen(chunk(30)), true, 'background before the reply');
  audible = true;
  for (; now < 3000; now += 100) assert.equal(gate.isOpen(chunk(now < 1500 ? 30 : 3000)), false, 'the reply sounds (late)');
  audible = false;
  // The reply's last 500 ms reach the microphone only now.
  for (const end = now + 500; now < end; now += 100) assert.equal(gate.isOpen(chunk(3000)), false, `echo at +${now - 3000} ms`);
  assert.equal(gate.isOpen(chunk(30)), true, 'back at the background: open');
  now += 100;
  assert.equal(gate.isOpen(chunk(3000)), true, 'the user speaking after the echo died is heard');
});

test('half-duplex: the wait for the echo to die is bounded; without a chunk to judge, the fixed tail decides', () => {
  let now = 0;
  let audible = true;
  const gate = new MicGate(false, { audible: () => audible, tailMs: 300, maxTailMs: 1000, now: () => now });
  gate.isOpen(chunk(0));
  audible = false;
  now = 900;
  assert.equal(gate.isOpen(chunk(3000)), false);
  now = 1000;
  assert.equal(gate.isOpen(chunk(3000)), true, 'someone talking over a long tail is heard after the bound');

  let later = 0;
  let speaking = true;
  const plain = new MicGate(false, { audible: () => speaking, tailMs: 300, now: () => later });
  assert.equal(plain.isOpen(), false);
  speaking = false;
  later = 301;
  assert.equal(plain.isOpen(), true);
});

test('the gate says when it closes and opens, and why, once per change (what --debug logs)', () => {
  let now = 0;
  let audible = false;
  const changes: string[] = [];
  const gate = new MicGate(false, { audible: () => audible, tailMs: 300, maxTailMs: 1000, now: () => now }, (closedBy) => changes.push(closedBy ?? 'open'));
  for (; now < 500; now += 100) gate.isOpen(chunk(30));
  audible = true;
  for (; now < 1000; now += 100) gate.isOpen(chunk(3000));
  audible = false;
  for (; now < 1400; now += 100) gate.isOpen(chunk(3000));
  for (; now < 2500; now += 100) gate.isOpen(chunk(30));
  gate.muted = true;
  gate.isOpen(chunk(30));
  gate.isOpen(chunk(30));
  gate.muted = false;
  gate.pausedForLoop = true;
  gate.isOpen(chunk(30));
  assert.deepEqual(changes, ['assistant audible', 'echo tail', 'echo still arriving', 'open', 'muted', 'loop pause']);
});
