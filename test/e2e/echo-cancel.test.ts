import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  SourceCapture, converseOnRig, count, echoCancellerSource, playInto, rmsDb, startLoopRig, type LoopRig,
} from '../helpers/loop-scenario.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';

let rig: LoopRig;
before(async () => { rig = await startLoopRig(); });
after(async () => { await rig.close(); });

const QUESTION = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall.';

function modules(): string {
  return execFileSync('pactl', ['list', 'short', 'modules'], { encoding: 'utf8' });
}

test('aec: over 60 s no response is triggered by the assistant\'s own voice; the echo is attenuated', async () => {
  rig.proxy.log.length = 0;
  const questions = Array.from({ length: 6 }, (_, i) => `${QUESTION} Part ${i + 1}.`);
  let attenuationDb: number | undefined;
  const result = await converseOnRig(rig, ['--echo-guard', 'aec'], questions, 10_000, 62_000, async () => {
    while (!rig.proxy.log.some((event) => event.type === 'response.output_audio.delta')) await new Promise((r) => setTimeout(r, 50));
    const source = echoCancellerSource();
    assert.ok(source, 'kaiwa loaded the echo canceller');
    const raw = new SourceCapture('mic.monitor', 16000);
    const cleaned = new SourceCapture(source, 16000);
    await Promise.all([raw.ready(), cleaned.ready()]);
    await new Promise((r) => setTimeout(r, 2500));
    const [before, after] = await Promise.all([raw.stop(), cleaned.stop()]);
    attenuationDb = rmsDb(before) - rmsDb(after);
  });
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
  const result = await converseOnRig(rig, ['--echo-guard', 'aec', '--debug'], [QUESTION], 0, 12_000, async () => {
    while (!rig.proxy.log.some((event) => event.type === 'response.output_audio.delta')) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    await playInto('mic', interruption);
  });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(count(rig.proxy, 'server', 'input_audio_buffer.speech_started') >= 1, 'the user was heard through the canceller');
  assert.match(result.stderr, /interrupted \S+ after \d+ ms \(truncated\)/);
});

test('a kaiwa killed with SIGKILL leaves no echo canceller behind', async () => {
  await converseOnRig(rig, ['--echo-guard', 'aec'], [], 0, 60_000, async (child) => {
    for (let i = 0; i < 100 && !echoCancellerSource(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(echoCancellerSource(), 'loaded');
    child.kill('SIGKILL');
  });
  for (let i = 0; i < 40 && /module-echo-cancel/.test(modules()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.doesNotMatch(modules(), /module-echo-cancel/);
});
