import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bufferToInt16, int16ToBuffer } from '../../src/audio/pcm16.js';
import { SoxPlayer, SoxRecorder } from '../../src/audio/sox.js';
import { liveSoxPids } from '../../src/audio/sox-process.js';
import { encodeWav } from '../../src/audio/wav.js';
import { PacedPlayer } from '../../src/audio/paced-player.js';
import { fakeSox, isAlive, waitFor } from '../helpers/audio-fake-sox.js';
import { SourceCapture, startPulse, type PulseServer } from '../helpers/audio-pulse.js';
import { amplitudeDb, dominantFrequency, sine, toneAmplitude } from '../helpers/audio-signals.js';
import { audioTempDir } from '../helpers/audio-tmp.js';

/**
 * SoX against a real (private) PulseAudio server with null sinks. SoX finds it the
 * way it finds a desktop's: --default-device tries PulseAudio first, and libpulse
 * connects to $PULSE_SERVER (set by startPulse). No AUDIODRIVER needed.
 */

const RATE = 24000;
const dir = audioTempDir('kaiwa-pulse-test-');
let pulse: PulseServer;

before(async () => {
  pulse = await startPulse();
});
after(async () => {
  await pulse?.stop();
});

/** Waits until `capture` has recorded `ms` more of audio: time measured by the sound server, not a sleep. */
function captureMore(capture: SourceCapture, ms: number): Promise<void> {
  const until = capture.capturedSamples + (RATE * ms) / 1000;
  return waitFor(() => capture.capturedSamples >= until, ms + 5000, `${ms} ms more on the monitor`);
}

/**
 * Waits until the tone at `frequency` has sounded and then been absent for 100 ms on the
 * monitor, or until `maxMs` more was captured: when SoX exits, the sound server may still hold
 * some of what it was handed (more under load, after it raised its latency).
 */
function captureUntilToneEnds(capture: SourceCapture, frequency: number, maxMs: number): Promise<void> {
  const until = capture.capturedSamples + (RATE * maxMs) / 1000;
  const toneEnded = (): boolean => {
    const windows = toneWindows(capture.recentSamples(3000), frequency, 3000);
    const last = windows.lastIndexOf(true);
    return last >= 0 && windows.length - 1 - last >= 5;
  };
  return waitFor(() => toneEnded() || capture.capturedSamples >= until, maxMs + 5000, `the ${frequency} Hz tone to end on the monitor`);
}

/** Splits a signal into 20 ms windows and says which ones carry a tone at `frequency`. */
function toneWindows(samples: Int16Array, frequency: number, minAmplitude: number): boolean[] {
  const window = RATE / 50;
  const result: boolean[] = [];
  for (let start = 0; start + window <= samples.length; start += window) {
    result.push(toneAmplitude(samples.subarray(start, start + window), frequency, RATE) > minAmplitude);
  }
  return result;
}

function longestRun(windows: boolean[]): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = -1;
  windows.forEach((on, index) => {
    if (on && start < 0) start = index;
    if ((!on || index === windows.length - 1) && start >= 0) {
      const end = on ? index + 1 : index;
      if (end - start > best.length) best = { start, length: end - start };
      start = -1;
    }
  });
  return best;
}

function playerFor(): SoxPlayer {
  const player = new SoxPlayer({ sampleRate: RATE });
  player.on('error', (error: Error) => assert.fail(`player error: ${error.message}`));
  return player;
}

describe('SoxPlayer through PulseAudio', () => {
  it('plays a 1 kHz tone that arrives on the default sink\'s monitor, whole, and close() waits for it', async () => {
    const capture = new SourceCapture('spk.monitor', RATE);
    await capture.ready();
    const player = playerFor();
    const tone = int16ToBuffer(sine({ frequency: 1000, sampleRate: RATE, ms: 1000, amplitude: 12000 }));
    for (let offset = 0; offset < tone.length; offset += 960) player.write(tone.subarray(offset, offset + 960));
    const closing = capture.capturedSamples;
    await player.close();
    // Measured in audio the monitor captured meanwhile, not on the wall clock.
    const closeMs = ((capture.capturedSamples - closing) / RATE) * 1000;
    await captureMore(capture, 150);
    const heard = await capture.stop();

    assert.ok(closeMs > 700, `close() returned after ${closeMs} ms of captured audio, before 1 s of audio could have played`);
    const windows = toneWindows(heard, 1000, 3000);
    const run = longestRun(windows);
    // Whole: all of it reached the monitor. Under load the sound server may split it once (a
    // CI run heard 820 ms in one piece while other tests ran their own sound servers).
    const toneMs = windows.filter(Boolean).length * 20;
    assert.ok(Math.abs(toneMs - 1000) <= 80, `the monitor heard ${toneMs} ms of tone, expected ~1000`);
    assert.ok(run.length >= 30, `the tone came in pieces: the longest ${run.length * 20} ms`);
    const middle = heard.subarray((run.start + 5) * 480, (run.start + run.length - 5) * 480);
    assert.equal(dominantFrequency(middle, RATE, 500, 2000, 10), 1000);
    assert.ok(Math.abs(amplitudeDb(toneAmplitude(middle, 1000, RATE), 12000)) < 1.5, 'level changed on the way');
    assert.deepEqual(liveSoxPids(), []);
  });

  it('clear() silences audio already queued, and the next write plays again', async () => {
    const capture = new SourceCapture('spk.monitor', RATE);
    await capture.ready();
    const player = playerFor();
    player.write(int16ToBuffer(sine({ frequency: 1000, sampleRate: RATE, ms: 3000, amplitude: 12000 })));
    const startedAt = capture.capturedSamples;
    // Let some of it be heard (SoX takes a moment to start), then barge in.
    await waitFor(() => capture.capturedSamples - startedAt > RATE * 0.9, 3000, 'the monitor to capture 0.9 s');
    player.clear();
    const clearedAt = capture.capturedSamples;
    await captureMore(capture, 600);
    player.write(int16ToBuffer(sine({ frequency: 500, sampleRate: RATE, ms: 400, amplitude: 12000 })));
    await player.close();
    await captureUntilToneEnds(capture, 500, 2000);
    const heard = await capture.stop();

    const thousand = toneWindows(heard, 1000, 3000);
    const heardBeforeClear = thousand.slice(startedAt / 480, clearedAt / 480).filter(Boolean).length;
    assert.ok(heardBeforeClear >= 10, `only ${heardBeforeClear * 20} ms of tone before clear()`);
    // Whatever was in flight when clear() ran may still arrive for a moment; after that, nothing.
    const lateWindows = thousand.slice(Math.ceil(clearedAt / 480) + 10);
    assert.equal(lateWindows.filter(Boolean).length, 0, 'the 1 kHz tone kept playing after clear()');
    const after = longestRun(toneWindows(heard, 500, 3000));
    assert.ok(after.length >= 15, `the write after clear() played only ${after.length * 20} ms`);
  });
});

describe('PacedPlayer over SoX through PulseAudio', () => {
  /** Whether the last 40 ms on the monitor carry a tone at `frequency`. */
  const sounds = (capture: SourceCapture, frequency: number): boolean => toneAmplitude(capture.recentSamples(40), frequency, RATE) > 3000;

  it('what was heard counts from when SoX opened the device, however late, and again for the SoX started after a clear()', async () => {
    // The real SoX, each started 400 ms late: as a device that takes long to open (a loaded machine, a slow sound server).
    process.env['KAIWA_SOX'] = fakeSox(dir, 'late-sox', 'sleep 0.4\nexec sox "$@"');
    const capture = new SourceCapture('spk.monitor', RATE);
    const heardWhenCleared: Record<string, number> = {};
    try {
      await capture.ready();
      const speaker = new PacedPlayer(playerFor(), { outputLatencyMs: 20 });
      for (const [item, frequency, ms] of [['first', 1000, 800], ['after-clear', 500, 600]] as const) {
        speaker.writeItem(item, int16ToBuffer(sine({ frequency, sampleRate: RATE, ms: 3000, amplitude: 12000 })));
        await waitFor(() => sounds(capture, frequency), 10_000, `the ${frequency} Hz tone on the monitor`);
        await captureMore(capture, ms);
        speaker.clear();
        heardWhenCleared[item] = speaker.heardMs(item);
      }
      await speaker.close();
      await captureMore(capture, 200);
    } finally {
      delete process.env['KAIWA_SOX'];
    }
    const heard = await capture.stop();
    for (const [item, frequency] of [['first', 1000], ['after-clear', 500]] as const) {
      const playedMs = longestRun(toneWindows(heard, frequency, 3000)).length * 20;
      const saidMs = heardWhenCleared[item]!;
      console.log(`# ${item}: the monitor heard ${playedMs} ms, the player says ${saidMs.toFixed(0)} ms`);
      assert.ok(Math.abs(saidMs - playedMs) <= 80, `${item}: the player says ${saidMs.toFixed(0)} ms were heard, the monitor heard ${playedMs} ms`);
    }
    assert.deepEqual(liveSoxPids(), []);
  });
});

describe('SoxRecorder through PulseAudio', () => {
  it('captures a tone played into the sink whose monitor is the default source', async () => {
    const recorder = new SoxRecorder({ sampleRate: RATE });
    const chunks: Buffer[] = [];
    let bytes = 0;
    const startedAt = Date.now();
    let firstChunkMs = -1;
    const firstChunk = new Promise<void>((resolve, reject) => {
      recorder.on('data', (chunk: Buffer) => {
        if (firstChunkMs < 0) firstChunkMs = Date.now() - startedAt;
        chunks.push(chunk);
        bytes += chunk.length;
        resolve();
      });
      recorder.on('error', reject);
    });
    recorder.start();
    // Reported, not asserted (a loaded machine stretches it): SoX must start, within the deadline.
    await waitFor(() => firstChunkMs >= 0, 10_000, 'the recorder\'s first audio');
    await firstChunk;
    console.log(`# SoX recorder: first audio after ${firstChunkMs} ms`);

    const wavPath = join(dir, 'tone.wav');
    // 16 kHz in the file: PulseAudio and SoX both resample on the way, as on a desktop.
    writeFileSync(wavPath, encodeWav(sine({ frequency: 1000, sampleRate: 16000, ms: 800, amplitude: 12000 }), 16000, 1));
    const paplay = spawn('paplay', ['--device=mic', wavPath], { stdio: 'inherit' });
    assert.equal(await new Promise((resolve) => paplay.on('exit', resolve)), 0);
    // 400 ms more recorded audio: the tail of the tone is through PulseAudio and SoX.
    const until = bytes + RATE * 2 * 0.4;
    await waitFor(() => bytes >= until, 5400, '400 ms more recorded audio');
    await recorder.stop();
    const pid = liveSoxPids()[0];

    const heard = bufferToInt16(Buffer.concat(chunks));
    const run = longestRun(toneWindows(heard, 1000, 3000));
    assert.ok(Math.abs(run.length - 40) <= 4, `captured ${run.length * 20} ms of tone, expected ~800`);
    const middle = heard.subarray((run.start + 5) * 480, (run.start + run.length - 5) * 480);
    assert.equal(dominantFrequency(middle, RATE, 500, 2000, 10), 1000);
    assert.ok(Math.abs(amplitudeDb(toneAmplitude(middle, 1000, RATE), 12000)) < 1.5);
    assert.equal(pid, undefined, 'SoX still running after stop()');
  });

  it('stop() ends SoX for real (no process left behind)', async () => {
    const recorder = new SoxRecorder({ sampleRate: RATE });
    const gotAudio = new Promise((resolve) => recorder.once('data', resolve));
    recorder.start();
    await gotAudio;
    const [pid] = liveSoxPids();
    assert.ok(pid !== undefined);
    await recorder.stop();
    assert.equal(isAlive(pid), false);
    assert.deepEqual(liveSoxPids(), []);
  });
});
