import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { MINUS_6_DB_VOLUME, WEATHER_QUESTION, converseOnRig, count, playInto, serverEvents, startLoopRig, untilFirstReplyHeard } from '../helpers/loop-scenario.js';
import { speechWav, tempDir, wavData } from '../helpers/wav-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * kaiwa's own echo canceller (`--echo-guard auto`, the default) on the real SoX path: kaiwa
 * plays to a PulseAudio null sink and records from another, joined by module-loopback (the
 * echo path, with its delay), and a peer that answers every speech turn it detects (kaiwa
 * serve). No sound-server module: kaiwa's canceller, against the samples it played. How
 * fast a barge-in is heard is measured by `bench/echo-loop.ts --barge`, not asserted here.
 */

test('the default guard, 300 ms echo path: the assistant\'s voice starts no turn of its own, and the canceller says it holds', async () => {
  const rig = await startLoopRig({ delayMs: 300, volumePercent: MINUS_6_DB_VOLUME });
  try {
    const result = await converseOnRig(rig, ['--debug'], (child) => untilFirstReplyHeard(rig, child), 60_000);
    assert.equal(result.code, 0, result.stderr);
    const holding = result.stderr.match(/echo canceller holding .*/)?.[0];
    console.log(`300 ms: ${count(rig.proxy, 'server', 'response.created')} response(s), ${count(rig.proxy, 'server', 'input_audio_buffer.speech_started')} speech start(s); ${holding}`);
    assert.equal(count(rig.proxy, 'server', 'input_audio_buffer.speech_started'), 0, 'the peer never heard the assistant');
    assert.equal(count(rig.proxy, 'server', 'response.created'), 1);
    assert.ok(holding, 'kaiwa reports its canceller holding');
    assert.doesNotMatch(result.stderr, /module-echo-cancel|kaiwa_ec_/);
  } finally {
    await rig.close();
  }
});

test('300 ms: a question spoken 1.5 s into the first reply is heard while it is spoken, truncates the reply and is answered', async () => {
  const rig = await startLoopRig({ delayMs: 300, volumePercent: MINUS_6_DB_VOLUME });
  const dir = tempDir();
  try {
    const spoken = speechWav(dir, 'Excuse me, can I ask you something else about the trains?', 24000);
    const spokenMs = wavData(spoken).length / 48;
    let playedAt = 0;
    const result = await converseOnRig(rig, ['--debug'], async (child) => {
      child.stdin.write(`${WEATHER_QUESTION}\n`);
      await waitFor(() => serverEvents(rig, 'response.output_audio.delta').length > 0, { what: 'the reply', timeoutMs: 30_000 });
      const replyStarted = serverEvents(rig, 'response.output_audio.delta')[0]!.at;
      await waitFor(() => performance.now() >= replyStarted + 1500, { what: '1.5 s into the reply', timeoutMs: 5000 });
      playedAt = performance.now();
      await playInto('mic', spoken);
      await waitFor(() => serverEvents(rig, 'response.done').length >= 2, { what: 'the answer to the spoken question', timeoutMs: 30_000 });
    }, 60_000);
    assert.equal(result.code, 0, result.stderr);
    const heard = serverEvents(rig, 'input_audio_buffer.speech_started').find((e) => e.at >= playedAt);
    assert.ok(heard, 'the peer heard the user');
    console.log(`barge-in at 300 ms: speech_started ${(heard.at - playedAt).toFixed(0)} ms after the question began (${spokenMs.toFixed(0)} ms long)`);
    assert.ok(heard.at - playedAt < spokenMs, 'heard while the question was still being spoken, not after it');
    assert.match(result.stderr, /interrupted \S+ after \d+ ms \(truncated\)/);
    assert.equal(serverEvents(rig, 'response.created').length, 2, 'answered, and nothing else');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await rig.close();
  }
});

test('a path longer than the canceller searches (900 ms): half-duplex takes over, says so, and there is no loop', async () => {
  const rig = await startLoopRig({ delayMs: 900, volumePercent: MINUS_6_DB_VOLUME });
  try {
    const result = await converseOnRig(rig, [], (child) => untilFirstReplyHeard(rig, child), 60_000);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /echo cancellation is not holding \(no echo path delay found\): half-duplex for the rest of this reply/);
    assert.equal(count(rig.proxy, 'server', 'input_audio_buffer.speech_started'), 0, 'the peer never heard the assistant');
    assert.equal(count(rig.proxy, 'server', 'response.created'), 1);
  } finally {
    await rig.close();
  }
});
