import { test } from 'node:test';
import assert from 'node:assert/strict';
import { soundsFinished } from '../../src/server/turn-completion.js';

test('a turn sounds finished unless its last word needs more after it', () => {
  for (const words of ['what time is it', 'turn left at the next traffic light', "I don't know", 'Hello.', 'call stella']) {
    assert.equal(soundsFinished(words), true, words);
  }
  for (const words of ['i would like to', 'a cup of coffee and', 'the weather in', 'um', 'can you tell me the', 'I would', "it's", '']) {
    assert.equal(soundsFinished(words), false, words);
  }
});
