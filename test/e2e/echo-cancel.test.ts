import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  SourceCapture, answerPlayedOut, assistantSpeaking, converseOnRig, count, echoCancellerSource, playInto, responsesDone, rmsDb,
  startLoopRig, type LoopRig,
} from '../helpers/loop-scenario.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

let rig: LoopRig;
before(async () => { rig = await startLoopRig(); });
after(async () => { await rig.close(); });

const QUESTION = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall.';
/** Long enough for an echo that got in to have started a turn and its answer. */
const QUIET_MS = 1500;

function modules(): string {
  return execFileSync('pactl', ['list', 'short', 'modules'], { encoding: 'utf8' });
}

/** Resolves once `capture` holds `ms` more audio than now: time measured by the sound server. */
function captureMore(capture: SourceCapture, ms: number): Promise<void> {
  const until = capture.capturedSamples + (capture.sampleRate * ms) / 1000;
  return waitFor(() => capture.capturedSamples >= until, { what: `${ms} ms more captured audio`, timeoutMs: ms + 5000 }).then(() => undefined);
}

test('aec: through long answers no response is triggered by the assistant\'s own voice; the echo is attenuated', async () => {
  rig.proxy.log.length = 0;
  const questions = Array.from({ length: 2 }, (_, i) => `${QUESTION} Part ${i + 1}.`);
  const speaker = new SourceCapture('spk.monitor', 16000);
  await speaker.ready();
  let attenuationDb: number | undefined;
  const result = await converseOnRig(rig, ['--echo-guard', 'aec'], async (child) => {
    for (const [index, question] of questions.entries()) {
      child.stdin.write(`${question}\n`);
      if (index === 0) {
        await assistantSpeaking(rig);
        const source = echoCancellerSource();
        assert.ok(source, 'kaiwa loaded the echo canceller');
        const raw = new SourceCapture('mic.monitor', 16000);
        const cleaned = new SourceCapture(source, 16000);
        await Promise.all([raw.ready(), cleaned.ready()]);
        await captureMore(raw, 2500);
        const [before, after] = await Promise.all([raw.stop(), cleaned.stop()]);
        attenuationDb = rmsDb(before) - rmsDb(after);
      }
      // Each answer plays out, and stays quiet, before the next question.
      await responsesDone(rig, index + 1);
      await answerPlayedOut(speaker, QUIET_MS);
    }
  }, 60_000);
  await speaker.stop();
  assert.equal(result.code, 0, result.stderr);
  const responses = count(rig.proxy, 'server', 'response.created');
  const heard = count(rig.proxy, 'server', 'input_audio_buffer.speech_started');
  console.log(`aec: ${responses} responses for ${questions.length} questions, ${heard} speech starts; echo attenuated by ${attenuationDb?.toFixed(1)} dB`);
  assert.equal(responses, questions.length, 'no response to its own voice');
  assert.ok(attenuationDb !== undefined && attenuationDb > 10, `echo attenuated by ${attenuationDb} dB`);
  assert.doesNotMatch(modules(), /module-echo-cancel/, 'the canceller is unloaded at exit');
});

test('aec: speech mixed into the microphone while the assistant talks still barges in', async () => {
  rig.proxy.log.length = 0;
  const dir = tempDir();
  const interruption = speechWav(dir, 'Excuse me, can I ask you something else?', 48000);
  const speaker = new SourceCapture('spk.monitor', 16000);
  await speaker.ready();
  const result = await converseOnRig(rig, ['--echo-guard', 'aec', '--debug'], async (child) => {
    child.stdin.write(`${QUESTION}\n`);
    await assistantSpeaking(rig);
    // 1.5 s into the answer (as the speaker played it), the user talks over it.
    await captureMore(speaker, 1500);
    await playInto('mic', interruption);
    await rig.proxy.waitFor((log) => log.some((event) => event.from === 'client' && event.type === 'conversation.item.truncate'),
      { what: 'kaiwa to truncate the interrupted answer', timeoutMs: 10_000 }).catch(() => undefined);
  }, 20_000);
  await speaker.stop();
  assert.equal(result.code, 0, result.stderr);
  assert.ok(count(rig.proxy, 'server', 'input_audio_buffer.speech_started') >= 1, 'the user was heard through the canceller');
  assert.match(result.stderr, /interrupted \S+ after \d+ ms \(truncated\)/);
});

test('a kaiwa killed with SIGKILL leaves no echo canceller behind', async () => {
  await converseOnRig(rig, ['--echo-guard', 'aec'], async (child) => {
    await waitFor(() => echoCancellerSource(), { what: 'kaiwa to load the echo canceller', timeoutMs: 5000 }).catch(() => undefined);
    assert.ok(echoCancellerSource(), 'loaded');
    child.kill('SIGKILL');
  }, 60_000);
  await waitFor(() => !/module-echo-cancel/.test(modules()), { what: 'the canceller to be unloaded', timeoutMs: 4000, everyMs: 100 }).catch(() => undefined);
  assert.doesNotMatch(modules(), /module-echo-cancel/);
});
