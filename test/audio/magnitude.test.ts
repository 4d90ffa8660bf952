import assert from 'node:assert/strict';
import { it } from 'node:test';
import { magnitude } from '../../src/audio/magnitude.js';
import { seededRandom } from '../helpers/audio-signals.js';

it('magnitude() is Math.hypot of two numbers, to the last bit, over every scale and the unusual cases', () => {
  const random = seededRandom(5);
  const draws = [() => (random() - 0.5) * 1e6, () => (random() - 0.5) * 1e-3, () => (random() - 0.5) * 10 ** (random() * 600 - 300), () => Math.round((random() - 0.5) * 100)];
  for (let i = 0; i < 200000; i++) {
    const re = draws[i % 4]!(); const im = draws[(i >> 2) % 4]!();
    assert.ok(Object.is(magnitude(re, im), Math.hypot(re, im)), `${re}, ${im}: ${magnitude(re, im)} ≠ ${Math.hypot(re, im)}`);
  }
  for (const [re, im] of [[0, 0], [-0, -0], [Infinity, NaN], [NaN, -Infinity], [NaN, 1], [1e308, 1e308], [5e-324, 5e-324], [-3, 4]] as const) {
    assert.ok(Object.is(magnitude(re, im), Math.hypot(re, im)), `${re}, ${im}`);
  }
});
