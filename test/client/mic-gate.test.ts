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
