import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceOpenWatch } from '../../src/audio/device-open-watch.js';

const settled = async (watch: DeviceOpenWatch): Promise<boolean> => {
  let done = false;
  void watch.opened.then(() => { done = true; });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

test('open once SoX\'s "Output File" line comes, however the pipe splits it; not on its "Input File" block', async () => {
  const watch = new DeviceOpenWatch(60_000, "sox:      SoX v14.4.2\n\nInput File     : '-' (raw)\nChannels       : 1\n\n");
  assert.equal(await settled(watch), false);
  watch.saw('\nOutput Fi');
  assert.equal(await settled(watch), false);
  watch.saw("le    : 'default' (pulseaudio)\n");
  assert.equal(await settled(watch), true);
  assert.notEqual(watch.openedAt, undefined);
});

test('what an early SoX said before it was taken over counts; settle() ends the wait (SoX exited)', async () => {
  assert.equal(await settled(new DeviceOpenWatch(60_000, "Input File : '-'\n\nOutput File    : 'default' (alsa)\n")), true);
  const exited = new DeviceOpenWatch(60_000, '');
  exited.settle();
  assert.equal(await settled(exited), true);
});
