import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SemanticEndpoint } from '../../src/server/semantic-endpoint.js';

function endpoint(settleMs: number) {
  const state = { nowMs: 0, ended: 0 };
  const watch = new SemanticEndpoint(settleMs, () => state.nowMs, () => { state.ended++; });
  return { watch, state };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('finished words end the turn once the silence has settled, not before', async () => {
  const { watch, state } = endpoint(250);
  state.nowMs = 1100;
  watch.paused(1000, Promise.resolve('what time is it'));
  await tick();
  assert.equal(state.ended, 0, 'only 100 ms of silence');
  state.nowMs = 1240;
  watch.check();
  assert.equal(state.ended, 0);
  state.nowMs = 1260;
  watch.check();
  watch.check();
  assert.equal(state.ended, 1, 'ended once');
});

test('words that arrive after the settle time end the turn at once', async () => {
  const { watch, state } = endpoint(250);
  let resolve!: (words: string) => void;
  watch.paused(1000, new Promise((r) => { resolve = r; }));
  state.nowMs = 1400;
  watch.check();
  assert.equal(state.ended, 0, 'the words are not known yet');
  resolve('where is the station');
  await tick();
  assert.equal(state.ended, 1);
});

test('unfinished or failed words, a resumption or a newer pause leave the turn to the silence window', async () => {
  for (const words of [() => Promise.resolve('i would like to'), () => Promise.reject(new Error('recognizer died'))]) {
    const { watch, state } = endpoint(250);
    watch.paused(1000, words());
    state.nowMs = 5000;
    await tick();
    watch.check();
    assert.equal(state.ended, 0);
  }
  const { watch, state } = endpoint(250);
  watch.paused(1000, Promise.resolve('what time is it'));
  watch.cancel();
  state.nowMs = 5000;
  await tick();
  watch.check();
  assert.equal(state.ended, 0, 'cancelled by the speaker going on');
  let resolveOld!: (words: string) => void;
  watch.paused(6000, new Promise((r) => { resolveOld = r; }));
  watch.paused(7000, Promise.resolve('i think that'));
  resolveOld('finished sentence');
  state.nowMs = 9000;
  await tick();
  watch.check();
  assert.equal(state.ended, 0, 'an older pause\'s words do not decide');
});
