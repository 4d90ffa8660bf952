import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResidualEchoGate } from '../../src/client/residual-echo-gate.js';

function toneAt(dbfs: number, samples = 480): Buffer {
  const amplitude = 32768 * 10 ** (dbfs / 20) * Math.SQRT2;
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(amplitude * Math.sin(i / 3)), i * 2);
  return pcm;
}

test('while the assistant sounds, quiet captured audio (echo residue) becomes silence', () => {
  const gate = new ResidualEchoGate({ recentLevelDbfs: () => -10 });
  const residue = toneAt(-40);
  assert.deepEqual(gate.filter(residue), Buffer.alloc(residue.length));
  assert.equal(gate.suppressedChunks, 1);
});

test('the user talking over the assistant is louder than any residue and passes', () => {
  const gate = new ResidualEchoGate({ recentLevelDbfs: () => -10 });
  const speech = toneAt(-18);
  assert.equal(gate.filter(speech), speech);
});

test('with the assistant silent everything passes', () => {
  const gate = new ResidualEchoGate({ recentLevelDbfs: () => -Infinity });
  const quiet = toneAt(-60);
  assert.equal(gate.filter(quiet), quiet);
});
