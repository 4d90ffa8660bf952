import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { converseOnRig, count, serverEvents, startLoopRig, type LoopRig } from '../helpers/loop-scenario.js';
import { waitFor as waitUntil } from '../helpers/wait-for.js';

/**
 * `--echo-guard in-process` on the real SoX path: kaiwa plays to a PulseAudio null sink and
 * records from another, joined by module-loopback (the echo path, with its delay), and a
 * peer that answers every speech turn it detects (kaiwa serve). No sound-server module:
 * kaiwa's own canceller, against the samples it played. (The checks that do not hold yet are in
 * in-process-echo.pending.ts.)
 */
const QUESTION = 'Tell me about the weather in the mountains in autumn, when the wind is cold and the leaves fall.';
/** PulseAudio volumes are cubic: 79 % is -6 dB. */
const MINUS_6_DB = 79;

function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<unknown> {
  return waitUntil(condition, { what, timeoutMs });
}


/** Asks the question; returns once the first reply has been played out and its echo has had a second to come back. */
async function untilFirstReplyHeard(rig: LoopRig, child: ChildProcessWithoutNullStreams): Promise<void> {
  child.stdin.write(`${QUESTION}\n`);
  await waitFor(() => serverEvents(rig, 'response.done').length >= 1, 30_000, 'the first reply');
  const deltas = serverEvents(rig, 'response.output_audio.delta');
  const audioMs = deltas.reduce((ms, e) => ms + (Buffer.from((e.event as { delta: string }).delta, 'base64').length / 48), 0);
  const playedOut = deltas[0]!.at + audioMs + 1000;
  await waitFor(() => performance.now() > playedOut, audioMs + 5000, 'the reply to be played out');
}

test('a path longer than the canceller searches (900 ms): half-duplex takes over, says so, and there is no loop', async () => {
  const rig = await startLoopRig({ delayMs: 900, volumePercent: MINUS_6_DB });
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
