import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EchoPresence } from '../../src/audio/echo-presence.js';

const BLOCK = 0.01;
const feed = (presence: EchoPresence, blocks: number, micSounds: (i: number) => boolean, echoDue = true): void => {
  for (let i = 0; i < blocks; i++) presence.update(echoDue, micSounds(i));
};

describe('EchoPresence', () => {
  it('finds the speaker absent after half a second of far end with the microphone quiet (headphones)', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 49, () => false);
    assert.equal(presence.absent, false, 'not judged before half a second');
    feed(presence, 1, () => false);
    assert.equal(presence.absent, true);
  });

  it('finds it heard when the microphone sounds through most of the far end (echo, even at a delay beyond the range)', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 50, (i) => i % 4 !== 0);
    assert.equal(presence.absent, false);
  });

  it('keeps its verdict when the user talks over a later reply, until echo is found', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 50, () => false);
    feed(presence, 80, () => true);
    assert.equal(presence.absent, true);
    presence.found();
    assert.equal(presence.absent, false);
    feed(presence, 50, () => true);
    assert.equal(presence.absent, false);
  });

  it('once absent, trusts a delay again only after sustained sound through the far end (headphones taken off), and stays absent until one is found', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 50, () => false);
    feed(presence, 80, () => true);
    assert.equal(presence.delayTrusted, false, 'a question over a reply is not the speaker');
    feed(presence, 40, (i) => i % 2 === 0);
    assert.equal(presence.delayTrusted, false, 'sound half the time is not yet enough');
    feed(presence, 30, () => true);
    assert.equal(presence.delayTrusted, true);
    assert.equal(presence.absent, true);
    presence.found();
    assert.equal(presence.absent, false);
  });

  it('counts only blocks where the echo is due', () => {
    const presence = new EchoPresence(BLOCK);
    feed(presence, 500, () => false, false);
    assert.equal(presence.absent, false);
  });
});
