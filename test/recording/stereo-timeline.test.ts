import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StereoTimeline } from '../../src/recording/stereo-timeline.js';
import { Redactor } from '../../src/recording/redactor.js';

const ones = (n: number, value = 1): Int16Array => new Int16Array(n).fill(value);
const lane = (stereo: Int16Array, channel: 0 | 1): number[] => [...stereo].filter((_, i) => i % 2 === channel);

describe('StereoTimeline', () => {
  it('interleaves the user left and the assistant right, silence elsewhere', () => {
    const timeline = new StereoTimeline();
    timeline.placeUser(1, ones(2, 5));
    timeline.placeAssistant('a', 2, ones(2, 7));
    const out = timeline.render(5);
    assert.deepEqual(lane(out, 0), [0, 5, 5, 0, 0]);
    assert.deepEqual(lane(out, 1), [0, 0, 7, 7, 0]);
  });

  it('cuts queued assistant audio at an interruption but never what is already written', () => {
    const timeline = new StereoTimeline();
    timeline.placeAssistant('a', 0, ones(10));
    timeline.render(4);
    assert.deepEqual([...timeline.cutAssistantFrom(2)], ['a']);
    assert.deepEqual(lane(timeline.render(10), 1), [0, 0, 0, 0, 0, 0]);
  });

  it('truncates an item counting from its own start, across chunks and what was rendered', () => {
    const timeline = new StereoTimeline();
    timeline.placeAssistant('a', 0, ones(4, 1));
    timeline.placeAssistant('a', 4, ones(4, 2));
    timeline.placeAssistant('b', 8, ones(2, 3));
    timeline.render(5); // a's first chunk is on disk, its second half-way
    timeline.truncateItem('a', 6); // keep 6 samples of a: 4 + 2
    assert.deepEqual(lane(timeline.render(10), 1), [2, 0, 0, 3, 3]);
  });

  it('tells where each channel\'s placed audio ends, and never before what is written', () => {
    const timeline = new StereoTimeline();
    timeline.placeUser(2, ones(3));
    timeline.placeAssistant('a', 4, ones(4));
    assert.deepEqual([timeline.userEnd, timeline.assistantEnd, timeline.end], [5, 8, 8]);
    timeline.render(6);
    assert.deepEqual([timeline.userEnd, timeline.assistantEnd], [6, 8]);
  });

  it('moves audio placed before the written point to just after it', () => {
    const timeline = new StereoTimeline();
    timeline.render(3);
    timeline.placeUser(0, ones(2, 9));
    assert.deepEqual(lane(timeline.render(6), 0), [9, 9, 0]);
  });
});

describe('Redactor', () => {
  it('removes secrets from nested strings and keys, longest first, and anything shaped like a key', () => {
    const redactor = new Redactor(['abcd1234', 'abcd1234-long', 'xy']);
    const clean = redactor.value({ list: ['see abcd1234-long'], abcd1234: { note: 'token sk-live_0123456789' } });
    assert.deepEqual(clean, { list: ['see [redacted]'], '[redacted]': { note: 'token sk-[redacted]' } });
    assert.equal(redactor.text('xy stays: too short to be a secret'), 'xy stays: too short to be a secret');
  });
});
