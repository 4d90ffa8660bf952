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

/** One round of the loop a broken echo path makes: the reply's audio comes, "the user" cuts in `afterMs` later, and what was heard is transcribed. */
function cutIn(detector: LoopDetector, clock: { now: number }, round: number, afterMs: number, transcript: string, delivery: 'streamed' | 'burst' = 'streamed'): boolean {
  const item = `item_user_${round}`;
  const done = (status: string): ServerEvent => ({ type: 'response.done', event_id: 'e', response: { id: `r${round}`, object: 'realtime.response', status, output: [] } } as ServerEvent);
  detector.observe({ type: 'response.created', event_id: 'e', response: { id: `r${round}`, object: 'realtime.response', status: 'in_progress', output: [] } } as ServerEvent);
  detector.observe({ type: 'response.output_audio.delta', event_id: 'e', response_id: `r${round}`, item_id: `a${round}`, output_index: 0, content_index: 0, delta: 'AAAA' } as ServerEvent);
  // The service sends a reply's audio far faster than it plays: done before the speaker got far.
  if (delivery === 'burst') detector.observe(done('completed'));
  clock.now += afterMs;
  detector.observe({ type: 'input_audio_buffer.speech_started', event_id: 'e', audio_start_ms: 0, item_id: item } as ServerEvent);
  if (delivery === 'streamed') detector.observe(done('cancelled'));
  clock.now += 1500;
  return detector.observe({ type: 'conversation.item.input_audio_transcription.completed', event_id: 'e', item_id: item, content_index: 0, transcript, usage: { type: 'duration', seconds: 1 } } as ServerEvent);
}

test('each reply cut off within a second or two by "the user" saying next to nothing, three times in a row, is the loop echo left after a barge-in makes', () => {
  const clock = { now: 0 };
  const detector = new LoopDetector({ now: () => clock.now });
  assert.equal(cutIn(detector, clock, 1, 700, 'the'), false);
  assert.equal(cutIn(detector, clock, 2, 650, ''), false);
  assert.equal(cutIn(detector, clock, 3, 900, 'and i'), true);
});

test('a person who cuts in with words, or late in a reply, or with a turn of their own between, breaks the streak', () => {
  const clock = { now: 0 };
  const detector = new LoopDetector({ now: () => clock.now });
  assert.equal(cutIn(detector, clock, 1, 700, 'wait'), false);
  assert.equal(cutIn(detector, clock, 2, 700, 'no no'), false);
  assert.equal(cutIn(detector, clock, 3, 800, 'what about the trains to Kyoto'), false, 'words: a person');
  assert.equal(cutIn(detector, clock, 4, 700, 'hm'), false);
  assert.equal(cutIn(detector, clock, 5, 6000, 'ok'), false, 'late in the reply: listened first');
  assert.equal(cutIn(detector, clock, 6, 700, 'stop'), false);
  assert.equal(detector.observe(heard('and')), false, 'a turn of their own, not a cut-in');
  assert.equal(cutIn(detector, clock, 7, 700, 'um'), false);
  assert.equal(cutIn(detector, clock, 8, 700, 'uh'), false);
});

test('replies whose audio all came at once (response.done before they had played) are cut off the same way: the loop is still found', () => {
  const clock = { now: 0 };
  const detector = new LoopDetector({ now: () => clock.now });
  assert.equal(cutIn(detector, clock, 1, 700, 'the', 'burst'), false);
  assert.equal(cutIn(detector, clock, 2, 900, '', 'burst'), false);
  assert.equal(cutIn(detector, clock, 3, 600, 'uh', 'burst'), true);
  assert.equal(cutIn(detector, clock, 4, 6000, 'ok', 'burst'), false, 'a cut-in 6 s after the reply began to play is not quick');
});
