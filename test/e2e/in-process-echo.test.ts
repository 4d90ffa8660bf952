import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINUS_6_DB_VOLUME, converseOnRig, count, startLoopRig, untilFirstReplyHeard } from '../helpers/loop-scenario.js';

/**
 * `--echo-guard in-process` on the real SoX path: kaiwa plays to a PulseAudio null sink and
 * records from another, joined by module-loopback (the echo path, with its delay), and a
 * peer that answers every speech turn it detects (kaiwa serve). No sound-server module:
 * kaiwa's own canceller, against the samples it played. (The checks that do not hold yet are in
 * in-process-echo.pending.ts.)
 */

test('a path longer than the canceller searches (900 ms): half-duplex takes over, says so, and there is no loop', async () => {
  const rig = await startLoopRig({ delayMs: 900, volumePercent: MINUS_6_DB_VOLUME });
  try {
    const result = await converseOnRig(rig, ['--echo-guard', 'in-process'], (child) => untilFirstReplyHeard(rig, child), 60_000);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /echo cancellation is not holding \(no echo path delay found\): half-duplex for the rest of this reply/);
    assert.equal(count(rig.proxy, 'server', 'input_audio_buffer.speech_started'), 0, 'the peer never heard the assistant');
    assert.equal(count(rig.proxy, 'server', 'response.created'), 1);
  } finally {
    await rig.close();
  }
});
