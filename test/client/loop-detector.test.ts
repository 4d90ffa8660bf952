import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopDetector, echoSimilarity, comparableTokens } from '../../src/client/loop-detector.js';
import type { ServerEvent } from '../../src/protocol/events.js';

const said = (transcript: string): ServerEvent => ({ type: 'response.output_audio_transcript.done', event_id: 'e', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, transcript });
const heard = (transcript: string): ServerEvent => ({ type: 'conversation.item.input_audio_transcription.completed', event_id: 'e', item_id: 'u', content_index: 0, transcript, usage: { type: 'duration', seconds: 1 } } as ServerEvent);

test('the assistant heard through the microphone is recognised as a loop', () => {
  const detector = new LoopDetector();
  assert.equal(detector.observe(said('The autumn wind is a little cold and quietly ends the day.')), false);
  assert.equal(detector.observe(heard('autumn wind is little cold quietly ends the day')), true);
});

test('a real reply from the user is not a loop', () => {
  const detector = new LoopDetector();
  detector.observe(said('The autumn wind is a little cold and quietly ends the day.'));
  assert.equal(detector.observe(heard('Could you tell me about tomorrow instead?')), false);
  assert.equal(detector.observe(heard('yes')), false, 'too short to judge');
});

test('Japanese is compared by character pairs', () => {
  assert.deepEqual(comparableTokens('秋の風'), ['秋の', 'の風']);
  const detector = new LoopDetector();
  detector.observe(said('タスク完了、おつかれさまです。秋の風、少し寒くて、そっと終わる。'));
  assert.equal(detector.observe(heard('秋の風少し寒くてそっと終わる')), true);
  assert.equal(detector.observe(heard('明日の天気を教えてください')), false);
  assert.ok(echoSimilarity('明日の天気', '秋の風') < 0.3);
});

test("only the assistant's recent words count", () => {
  let now = 0;
  const detector = new LoopDetector({ windowMs: 10_000, now: () => now });
  detector.observe(said('the quick brown fox jumps over the lazy dog'));
  now = 20_000;
  assert.equal(detector.observe(heard('the quick brown fox jumps')), false);
});
