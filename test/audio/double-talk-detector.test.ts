import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DoubleTalkDetector, type DoubleTalkBlock } from '../../src/audio/double-talk-detector.js';

/** A block where the residual is 12 dB above the echo a 20 dB filter leaves, and the microphone louder than the echo. */
const energyTalk: DoubleTalkBlock = {
  mic: 4e9, residual: 1.6e8, reference: 1e9, loudestReference: 1e9, coupling: 1, erleDb: 20, noise: 1e4, estimate: 'matches',
};

describe('DoubleTalkDetector', () => {
  it('takes a residual far above the echo left for talk, but not evidenced until its spectrum shows it', () => {
    const detector = new DoubleTalkDetector();
    assert.equal(detector.update({ ...energyTalk, nearEnd: 0 }), true);
    assert.equal(detector.evidenced, false);
    assert.equal(detector.update({ ...energyTalk, nearEnd: 0.2 }), true);
    assert.equal(detector.evidenced, true);
    // The talk stays evidenced through its hangover...
    assert.equal(detector.update({ ...energyTalk, residual: 0, nearEnd: 0 }), true);
    assert.equal(detector.evidenced, true);
  });

  it('starts each talk unevidenced again once the last one ended', () => {
    const detector = new DoubleTalkDetector();
    detector.update({ ...energyTalk, nearEnd: 0.2 });
    while (detector.update({ ...energyTalk, residual: 0, nearEnd: 0 }));
    assert.equal(detector.update({ ...energyTalk, nearEnd: 0 }), true);
    assert.equal(detector.evidenced, false);
  });

  it('asks for no evidence where none can be had (no filter running)', () => {
    const detector = new DoubleTalkDetector();
    assert.equal(detector.update({ ...energyTalk, nearEnd: undefined }), true);
    assert.equal(detector.evidenced, true);
  });

  it('hears a voice that is mostly far beyond the whole echo even where the residual is still coherent and the filter has learnt little', () => {
    // A barge-in 1.5 s into the first reply: the filter removes 4 dB, the microphone is louder than the echo could make it.
    const early = { ...energyTalk, erleDb: 4, residual: 2e9, mic: 3e9, echoCoherent: true };
    assert.equal(new DoubleTalkDetector().update({ ...early, nearEnd: 0.6, farNearEnd: 0.3 }), false);
    const detector = new DoubleTalkDetector();
    assert.equal(detector.update({ ...early, nearEnd: 0.7, farNearEnd: 0.6 }), true);
    assert.equal(detector.evidenced, true);
  });

  it('does not take a room\'s colouring for a voice before the filter removes some of the echo', () => {
    // A bin the room lifts 10 dB above the broadband coupling, the microphone no louder than the echo.
    const coloured = { ...energyTalk, erleDb: 2, residual: 1e9, mic: 1e9, echoCoherent: true, nearEnd: 0.8, farNearEnd: 0.7 };
    assert.equal(new DoubleTalkDetector().update(coloured), false);
    assert.equal(new DoubleTalkDetector().update({ ...coloured, erleDb: 8 }), true, 'once the filter removes 6 dB, the colouring is under the margin');
  });
});
