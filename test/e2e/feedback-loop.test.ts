import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { converseOnRig, count, startLoopRig, type LoopRig } from '../helpers/loop-scenario.js';

let rig: LoopRig;
before(async () => { rig = await startLoopRig(); });
after(async () => { await rig.close(); });

const QUESTION = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall.';

test('with --echo-guard off the assistant hears itself: its own voice starts new turns', async () => {
  rig.proxy.log.length = 0;
  const result = await converseOnRig(rig, ['--echo-guard', 'off'], [QUESTION], 0, 25_000);
  assert.equal(result.code, 0, result.stderr);
  const heardTurns = count(rig.proxy, 'server', 'input_audio_buffer.committed');
  const responses = count(rig.proxy, 'server', 'response.created');
  console.log(`echo-guard off: ${heardTurns} turns heard from the speaker, ${responses} responses for 1 question`);
  assert.ok(heardTurns >= 1, 'the server took the assistant for the user');
  assert.ok(responses >= 2, 'and answered it');
});

test('half-duplex: over 60 s of conversation no response is triggered by the assistant\'s own voice', async () => {
  rig.proxy.log.length = 0;
  const questions = Array.from({ length: 6 }, (_, i) => `${QUESTION} Part ${i + 1}.`);
  const result = await converseOnRig(rig, ['--echo-guard', 'half-duplex'], questions, 10_000, 62_000);
  assert.equal(result.code, 0, result.stderr);
  const responses = count(rig.proxy, 'server', 'response.created');
  const heard = count(rig.proxy, 'server', 'input_audio_buffer.speech_started');
  console.log(`half-duplex: ${responses} responses for ${questions.length} questions, ${heard} speech starts`);
  assert.equal(heard, 0, 'the microphone never carried the assistant');
  assert.equal(responses, questions.length);
});
