import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { converseOnRig, count, playInto, startLoopRig, type LoopRig } from '../helpers/loop-scenario.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';

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

test('half-duplex: over 60 s no response is triggered by the assistant\'s own voice, and the user is still heard', async () => {
  rig.proxy.log.length = 0;
  const questions = Array.from({ length: 5 }, (_, i) => `${QUESTION} Part ${i + 1}.`);
  const spoken = speechWav(tempDir(), 'What time is it in Tokyo?', 48000);
  const result = await converseOnRig(rig, ['--echo-guard', 'half-duplex'], questions, 10_000, 62_000, async () => {
    // In a quiet moment after the typed questions, the user speaks.
    await new Promise((resolve) => setTimeout(resolve, 51_000));
    await playInto('mic', spoken);
  });
  assert.equal(result.code, 0, result.stderr);
  const responses = count(rig.proxy, 'server', 'response.created');
  const heard = count(rig.proxy, 'server', 'input_audio_buffer.speech_started');
  console.log(`half-duplex: ${responses} responses for ${questions.length} typed and 1 spoken question, ${heard} speech starts`);
  assert.equal(heard, 1, 'only the user was heard, never the assistant');
  assert.equal(responses, questions.length + 1);
});
