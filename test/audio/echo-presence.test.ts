import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoPresence } from '../../src/audio/echo-presence.js';

const BLOCK = 0.01;
const feed = (presence: EchoPresence, blocks: number, micSounds: (i: number) => boolean, echoDue = true): void => {
  for (let i = 0; i < blocks; i++) presence.update(echoDue, micSounds(i));
};

describe('EchoPresence', () => {
  it('finds the speaker absent after a second of far end with the microphone quiet (headphones)', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 99, () => false);
    assert.equal(presence.absent, false, 'not judged before a second');
    feed(presence, 1, () => false);
    assert.equal(presence.absent, true);
  });

  it('finds it heard when the microphone sounds through most of the far end (echo, even at a delay beyond the range)', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 100, (i) => i % 4 !== 0);
    assert.equal(presence.absent, false);
  });

  it('keeps its verdict when the user talks over a later reply, until echo is found', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 100, () => false);
    feed(presence, 300, () => true);
    assert.equal(presence.absent, true);
    presence.found();
    assert.equal(presence.absent, false);
    feed(presence, 100, () => true);
    assert.equal(presence.absent, false);
  });

  it('counts only blocks where the echo is due', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 500, () => false, false);
    assert.equal(presence.absent, false);
  });
});
