import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { MINUS_6_DB_VOLUME, WEATHER_QUESTION, converseOnRig, count, playInto, serverEvents, startLoopRig, untilFirstReplyHeard } from '../helpers/loop-scenario.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';
import { waitFor as waitUntil } from '../helpers/wait-for.js';

/**
 * Issue 13's acceptance checks that do not hold every time yet, NOT part of `npm test` (the
 * name does not end in .test.ts): the assistant's voice still starts a turn of its own in
 * some runs (2 self-triggered turns over the 12 cells of the last matrix; 1 run in 6 at
 * 300 ms, -6 dB), and the peer hears a question spoken 1.5 s into the first reply 444-538 ms
 * after it began (goal 400; BENCHMARKS.md, seventh pass). Run by hand:
 *   npm run build && node --import tsx --test test/e2e/in-process-echo.pending.ts
 * When they pass, move them to in-process-echo.test.ts and make in-process the default of `auto`.
 */
function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<unknown> {
  return waitUntil(condition, { what, timeoutMs });
}

test('in-process, 300 ms echo path: the assistant\'s voice starts no turn of its own, and the canceller says it holds', async () => {
  const rig = await startLoopRig({ delayMs: 300, volumePercent: MINUS_6_DB_VOLUME });
  try {
    const result = await converseOnRig(rig, ['--echo-guard', 'in-process', '--debug'], (child) => untilFirstReplyHeard(rig, child), 60_000);
    assert.equal(result.code, 0, result.stderr);
    const holding = result.stderr.match(/echo canceller holding .*/)?.[0];
    console.log(`in-process 300 ms: ${count(rig.proxy, 'server', 'response.created')} response(s), ${count(rig.proxy, 'server', 'input_audio_buffer.speech_started')} speech start(s); ${holding}`);
    assert.equal(count(rig.proxy, 'server', 'input_audio_buffer.speech_started'), 0, 'the peer never heard the assistant');
    assert.equal(count(rig.proxy, 'server', 'response.created'), 1);
    assert.ok(holding, 'kaiwa reports its canceller holding');
    assert.doesNotMatch(result.stderr, /module-echo-cancel|kaiwa_ec_/);
  } finally {
    await rig.close();
  }
});

test('in-process, 300 ms: a question spoken 1.5 s into a reply is heard at once, truncates the reply and is answered', async () => {
  const rig = await startLoopRig({ delayMs: 300, volumePercent: MINUS_6_DB_VOLUME });
  const dir = tempDir();
  try {
    const spoken = speechWav(dir, 'Excuse me, can I ask you something else about the trains?', 24000);
    let playedAt = 0;
    const result = await converseOnRig(rig, ['--echo-guard', 'in-process', '--debug'], async (child) => {
      child.stdin.write(`${WEATHER_QUESTION}\n`);
      await waitFor(() => serverEvents(rig, 'response.output_audio.delta').length > 0, 30_000, 'the reply');
      const replyStarted = serverEvents(rig, 'response.output_audio.delta')[0]!.at;
      await waitFor(() => performance.now() >= replyStarted + 1500, 5000, '1.5 s into the reply');
      playedAt = performance.now();
      await playInto('mic', spoken);
      await waitFor(() => serverEvents(rig, 'response.done').length >= 2, 30_000, 'the answer to the spoken question');
    }, 60_000);
    assert.equal(result.code, 0, result.stderr);
    const heard = serverEvents(rig, 'input_audio_buffer.speech_started').find((e) => e.at >= playedAt);
    assert.ok(heard, 'the peer heard the user');
    console.log(`barge-in at 300 ms: speech_started ${(heard.at - playedAt).toFixed(0)} ms after the question began`);
    assert.ok(heard.at - playedAt <= 400, `speech_started after ${heard.at - playedAt} ms`);
    assert.match(result.stderr, /interrupted \S+ after \d+ ms \(truncated\)/);
    assert.equal(serverEvents(rig, 'response.created').length, 2, 'answered, and nothing else');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await rig.close();
  }
});
