import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EchoLossMeter } from '../../src/audio/echo-loss-meter.js';

const BLOCK_SECONDS = 0.01;
const echoOnly = (mic: number, reference: number) => ({ mic, residual: mic / 10, output: mic / 1000, reference, echoOnly: true });
const db = (ratio: number): number => 10 * Math.log10(ratio);

it('the coupling is not told from one block: a dropout measured first (the microphone at its floor while the far end played) does not set it 60 dB low', () => {
  const meter = new EchoLossMeter(BLOCK_SECONDS);
  meter.update(echoOnly(1e-6 * 4e6, 4e6));
  assert.equal(meter.coupling, 1, 'one block: still the worst assumed');
  meter.update(echoOnly(4e6, 4e6));
  meter.update(echoOnly(4e6, 4e6));
  assert.ok(Math.abs(db(meter.coupling)) < 3, `coupling ${db(meter.coupling).toFixed(1)} dB after two blocks of a 0 dB echo`);
});

it('the first blocks weigh alike, later ones are smoothed over a quarter of a second', () => {
  const meter = new EchoLossMeter(BLOCK_SECONDS);
  for (let i = 0; i < 10; i++) meter.update(echoOnly(i % 2 === 0 ? 1e6 : 3e6, 4e6));
  assert.ok(Math.abs(meter.coupling - 0.5) < 1e-9, `even average of the first ten: ${meter.coupling}`);
  for (let i = 0; i < 200; i++) meter.update(echoOnly(4e5, 4e6));
  assert.ok(Math.abs(db(meter.coupling) + 10) < 0.1, `follows a path 10 dB down within 2 s: ${db(meter.coupling).toFixed(2)} dB`);
  assert.ok(Math.abs(meter.erleDb - 10) < 1e-9 && Math.abs(meter.attenuationDb - 30) < 1e-9);
});

it('blocks that are not echo alone are not measured', () => {
  const meter = new EchoLossMeter(BLOCK_SECONDS);
  for (let i = 0; i < 5; i++) meter.update({ ...echoOnly(4e6, 4e6), echoOnly: false });
  assert.equal(meter.blocks, 0);
  assert.equal(meter.coupling, 1);
  assert.equal(meter.erleDb, 0);
});
