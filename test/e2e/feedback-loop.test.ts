import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  SourceCapture, answerPlayedOut, converseOnRig, count, loudestSentSince, playInto, responsesDone, rmsDb, startLoopRig, type LoopRig,
} from '../helpers/loop-scenario.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';

let rig: LoopRig;
before(async () => { rig = await startLoopRig(); });
after(async () => { await rig.close(); });

const QUESTION = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall.';
/** Long enough for an echo that got in to have started a turn and its answer. */
const QUIET_MS = 1500;

test('with --echo-guard off the assistant hears itself: its own voice starts new turns', async () => {
  rig.proxy.log.length = 0;
  const result = await converseOnRig(rig, ['--echo-guard', 'off'], async (child) => {
    child.stdin.write(`${QUESTION}\n`);
    // Ends as soon as the assistant has answered its own voice (or at the deadline, and the asserts fail).
    await rig.proxy.waitFor(() => count(rig.proxy, 'server', 'input_audio_buffer.committed') >= 1 && count(rig.proxy, 'server', 'response.created') >= 2,
      { what: 'a turn started by the assistant\'s own voice, and its answer', timeoutMs: 25_000 }).catch(() => undefined);
  }, 25_000);
  assert.equal(result.code, 0, result.stderr);
  const heardTurns = count(rig.proxy, 'server', 'input_audio_buffer.committed');
  const responses = count(rig.proxy, 'server', 'response.created');
  console.log(`echo-guard off: ${heardTurns} turns heard from the speaker, ${responses} responses for 1 question`);
  assert.ok(heardTurns >= 1, 'the server took the assistant for the user');
  assert.ok(responses >= 2, 'and answered it');
});

test('half-duplex: through long answers no response is triggered by the assistant\'s own voice, and the user is still heard', async () => {
  rig.proxy.log.length = 0;
  const questions = Array.from({ length: 2 }, (_, i) => `${QUESTION} Part ${i + 1}.`);
  const spoken = speechWav(tempDir(), 'What time is it in Tokyo?', 48000);
  const speaker = new SourceCapture('spk.monitor', 16000);
  const micDevice = new SourceCapture('mic.monitor', 16000);
  await Promise.all([speaker.ready(), micDevice.ready()]);
  const result = await converseOnRig(rig, ['--echo-guard', 'half-duplex'], async (child) => {
    // Each answer plays out, and stays quiet, before the next question.
    for (const [index, question] of questions.entries()) {
      child.stdin.write(`${question}\n`);
      await responsesDone(rig, index + 1);
      await answerPlayedOut(speaker, QUIET_MS);
    }
    // In a quiet moment after the typed questions, the user speaks.
    const spokenAt = performance.now();
    await playInto('mic', spoken);
    const onMicDevice = rmsDb(micDevice.recentSamples(performance.now() - spokenAt));
    await responsesDone(rig, questions.length + 1).catch((error: Error) => {
      // Where the question was lost: on its way to the microphone's device, or in kaiwa.
      const sent = loudestSentSince(rig, spokenAt);
      error.message += ` (while the question was played: mic.monitor ${onMicDevice.toFixed(0)} dBFS; since, kaiwa sent ${sent.appends} appends, the loudest ${sent.loudestDb.toFixed(0)} dBFS)`;
      throw error;
    });
    await answerPlayedOut(speaker, QUIET_MS);
  }, 60_000).finally(() => Promise.all([speaker.stop(), micDevice.stop()]));
  assert.equal(result.code, 0, result.stderr);
  const responses = count(rig.proxy, 'server', 'response.created');
  const heard = count(rig.proxy, 'server', 'input_audio_buffer.speech_started');
  console.log(`half-duplex: ${responses} responses for ${questions.length} typed and 1 spoken question, ${heard} speech starts`);
  assert.equal(heard, 1, 'only the user was heard, never the assistant');
  assert.equal(responses, questions.length + 1);
});

test('half-duplex with a speaker that sounds 700 ms late (Bluetooth, HDMI): the end of the reply still arriving is not taken for the user', async () => {
  const late = await startLoopRig({ delayMs: 700 });
  try {
    const speaker = new SourceCapture('spk.monitor', 16000);
    await speaker.ready();
    const result = await converseOnRig(late, ['--echo-guard', 'half-duplex'], async (child) => {
      child.stdin.write(`${QUESTION}\n`);
      await responsesDone(late, 1);
      // A loop never falls quiet: then the counts below say what happened.
      await answerPlayedOut(speaker, QUIET_MS + 700).catch(() => undefined);
    }, 40_000);
    await speaker.stop();
    assert.equal(result.code, 0, result.stderr);
    assert.equal(count(late.proxy, 'server', 'input_audio_buffer.speech_started'), 0, 'the late echo was never heard as speech');
    assert.equal(count(late.proxy, 'server', 'response.created'), 1);
  } finally {
    await late.close();
  }
});
