import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcousticEchoCanceller, type EchoCancellerStatus } from '../../src/audio/acoustic-echo-canceller.js';
import { RATE, db, echoScene, energy, farEndSpeech, nearEndSpeech, silentDither, type EchoScene } from '../helpers/echo-path.js';

/**
 * Attenuation demanded once converged. kaiwa's voice reaches the microphone at about
 * -20 dBFS through a 0 dB path (a loud speaker next to the microphone); 28 dB less is
 * -48 dBFS, the noise of a quiet room, where a server's VAD no longer takes it for speech.
 */
const STEADY_ATTENUATION_DB = 28;
/** In the first second of echo, while the filter learns: still 20 dB under a 0 dB path. */
const FIRST_SECOND_ATTENUATION_DB = 20;

interface Run {
  out: Int16Array;
  latency: number;
  /** Seconds from the start of the echo until the canceller said it converged. */
  convergedAfter: number | undefined;
  last: EchoCancellerStatus;
  everConverged: boolean;
}

/** Feeds the scene in 20 ms chunks, as the microphone delivers it. */
function run(scene: EchoScene): Run {
  const canceller = new AcousticEchoCanceller(RATE);
  const out = new Int16Array(scene.mic.length);
  const chunk = RATE / 50;
  let convergedAfter: number | undefined;
  for (let at = 0; at < scene.mic.length; at += chunk) {
    const end = Math.min(at + chunk, scene.mic.length);
    out.set(canceller.process(scene.mic.subarray(at, end), scene.reference.subarray(at, end)), at);
    if (canceller.status.converged && convergedAfter === undefined) convergedAfter = (end - scene.echoStart) / RATE;
  }
  return { out, latency: canceller.latencySamples, convergedAfter, last: canceller.status, everConverged: convergedAfter !== undefined };
}

/** Microphone energy over output energy (the output shifted back by the latency), in dB. */
function attenuationDb(scene: EchoScene, result: Run, from: number, to: number): number {
  const shifted = result.out.subarray(result.latency);
  return db(energy(scene.mic, from, to) / Math.max(energy(shifted, from, to), 1));
}

/** Least-squares gain of the near voice in the output, squared: the share of its energy kept. */
function voiceKept(scene: EchoScene, result: Run, at: number, length: number): number {
  const shifted = result.out.subarray(result.latency);
  let projection = 0;
  for (let i = at; i < at + length; i++) projection += shifted[i]! * scene.near[i]!;
  return (projection / energy(scene.near, at, at + length)) ** 2;
}

describe('AcousticEchoCanceller on speech through a room', () => {
  for (const delayMs of [60, 150, 300, 500]) {
    for (const gainDb of [-20, -6, 0]) {
      it(`${delayMs} ms, ${gainDb} dB: delay found, converged within 2 s, ≥ ${STEADY_ATTENUATION_DB} dB removed`, () => {
        // Microphone noise at -90 dBFS, so that it does not bound the attenuation measured at -20 dB.
        const scene = echoScene({ delayMs, gainDb, far: farEndSpeech(), noiseDbfs: -90 });
        const result = run(scene);
        const echoEnd = farEndSpeech().length + scene.echoStart;
        const firstSecond = attenuationDb(scene, result, scene.echoStart, scene.echoStart + RATE);
        const steady = attenuationDb(scene, result, scene.echoStart + 3 * RATE, echoEnd);
        assert.ok(result.last.delayMs !== undefined && Math.abs(result.last.delayMs - delayMs) <= 4, `delay ${result.last.delayMs}`);
        assert.ok(result.convergedAfter !== undefined && result.convergedAfter <= 2, `converged after ${result.convergedAfter} s`);
        assert.ok(firstSecond >= FIRST_SECOND_ATTENUATION_DB, `first second: ${firstSecond.toFixed(1)} dB`);
        assert.ok(steady >= STEADY_ATTENUATION_DB, `from 3 s on: ${steady.toFixed(1)} dB`);
        console.log(`${delayMs} ms ${gainDb} dB: delay ${result.last.delayMs?.toFixed(1)} ms, converged after ${result.convergedAfter?.toFixed(2)} s, `
          + `first second ${firstSecond.toFixed(1)} dB, from 3 s ${steady.toFixed(1)} dB, ERLE ${result.last.erleDb.toFixed(1)} dB`);
        assert.ok(result.last.erleDb >= 20, `the linear filter's share: ${result.last.erleDb.toFixed(1)} dB`);
      });
    }
  }

  it('keeps most of a voice 6 dB under a 0 dB echo (double talk), and keeps cancelling after it', () => {
    const voice = nearEndSpeech(-6);
    const scene = echoScene({ delayMs: 300, gainDb: 0, far: farEndSpeech(), nearVoice: voice, nearAtSeconds: 5 });
    const result = run(scene);
    const at = 5 * RATE;
    const kept = voiceKept(scene, result, at, voice.length);
    console.log(`double talk: kept ${(100 * kept).toFixed(1)} % of the voice`);
    assert.ok(kept >= 0.75, `kept ${(100 * kept).toFixed(1)} % of the voice`);
    const afterTalk = attenuationDb(scene, result, at + voice.length + RATE, farEndSpeech().length + scene.echoStart);
    assert.ok(afterTalk >= STEADY_ATTENUATION_DB - 5, `after the talk: ${afterTalk.toFixed(1)} dB (the filter did not diverge)`);
  });

  // Double talk at other balances of voice and echo. The issue's loop is a -6 dB path with a
  // user at a normal level (the first case): ≥ 90 %. A voice under the echo is partly
  // traded for cutting what the echo leaves (see BENCHMARKS.md, sixth pass). Before the
  // residual's coherence told voice from echo, a long double talk leaked into the ERLE
  // meter and the suppressor went cautious on the voice itself: 79.8, 79.0 and 41.7 %.
  for (const { gainDb, voiceDb, least } of [{ gainDb: -6, voiceDb: 0, least: 0.9 }, { gainDb: 0, voiceDb: 0, least: 0.85 }, { gainDb: -6, voiceDb: -6, least: 0.75 }]) {
    it(`keeps ≥ ${100 * least} % of a voice at ${voiceDb} dB talking over a ${gainDb} dB echo path`, () => {
      const voice = nearEndSpeech(voiceDb);
      const scene = echoScene({ delayMs: 300, gainDb, far: farEndSpeech(), nearVoice: voice, nearAtSeconds: 5 });
      const kept = voiceKept(scene, run(scene), 5 * RATE, voice.length);
      console.log(`double talk (${gainDb} dB path, voice ${voiceDb} dB): kept ${(100 * kept).toFixed(1)} % of the voice`);
      assert.ok(kept >= least, `kept ${(100 * kept).toFixed(1)} % of the voice`);
    });
  }

  it('passes a voice untouched when nothing is played', () => {
    const voice = nearEndSpeech(-6);
    const scene = echoScene({ delayMs: 150, gainDb: 0, far: new Int16Array(RATE), nearVoice: voice, nearAtSeconds: 0.5 });
    const result = run(scene);
    const shifted = result.out.subarray(result.latency);
    for (let i = 0; i < scene.mic.length - result.latency; i += 97) assert.ok(Math.abs(shifted[i]! - scene.mic[i]!) <= 1);
  });

  it('reports "not converged" for a path beyond its range (800 ms), and cuts what could be echo', () => {
    const scene = echoScene({ delayMs: 800, gainDb: -6, far: farEndSpeech() });
    const result = run(scene);
    assert.equal(result.everConverged, false);
    assert.equal(result.last.delayMs, undefined);
    assert.ok(attenuationDb(scene, result, scene.echoStart, scene.echoStart + RATE) >= FIRST_SECOND_ATTENUATION_DB);
  });

  it('passes a voice quieter than the assistant when the microphone never hears the speaker (headphones)', () => {
    // No echo at all: before, the canceller cut anything not louder than the far end for as long as no delay was found.
    const voice = nearEndSpeech(-12);
    const scene = echoScene({ delayMs: 150, gainDb: -200, far: farEndSpeech(), nearVoice: voice, nearAtSeconds: 3 });
    const kept = voiceKept(scene, run(scene), 3 * RATE, voice.length);
    assert.ok(kept >= 0.95, `kept ${(100 * kept).toFixed(1)} % of the voice`);
  });

  it('takes no delay from a voice that resembles the far end on a microphone that never heard the speaker', () => {
    // What two synthetic voices of the same pitch did on the barge-in test rig: a chance
    // correlation locked the canceller onto the user, who was then suppressed as echo.
    // Here the "voice" is the far end itself, 100 ms later, for 0.8 s: as alike as can be.
    const far = farEndSpeech();
    const voice = far.slice(Math.round(2.9 * RATE), Math.round(3.7 * RATE));
    const scene = echoScene({ delayMs: 150, gainDb: -200, far, nearVoice: voice, nearAtSeconds: 3 });
    const result = run(scene);
    assert.equal(result.last.delayMs, undefined);
    const kept = voiceKept(scene, result, 3 * RATE, voice.length);
    assert.ok(kept >= 0.95, `kept ${(100 * kept).toFixed(1)} % of the voice`);
  });

  it('works at 8 kHz (G.711 sessions)', () => {
    const canceller = new AcousticEchoCanceller(8000);
    assert.equal(canceller.blockSize, 64);
    const out = canceller.process(new Int16Array(1000), new Int16Array(1000));
    assert.equal(out.length, 1000);
  });

  it('writes its output into the array it is given, the same samples it would return in a new one', () => {
    const scene = echoScene({ delayMs: 150, gainDb: -6, far: farEndSpeech() });
    const own = new AcousticEchoCanceller(RATE);
    const given = new AcousticEchoCanceller(RATE);
    const out = new Int16Array(1320);
    for (let at = 0; at + out.length <= 4 * RATE; at += out.length) {
      const mic = scene.mic.subarray(at, at + out.length);
      const reference = scene.reference.subarray(at, at + out.length);
      out.fill(12345);
      assert.equal(given.process(mic, reference, out), out);
      assert.deepEqual(out, own.process(mic, reference), `at ${at}`);
    }
    assert.throws(() => given.process(new Int16Array(10), new Int16Array(10), new Int16Array(9)), /as long as/);
  });

  it('refuses blocks of different lengths', () => {
    assert.throws(() => new AcousticEchoCanceller(RATE).process(new Int16Array(10), new Int16Array(9)), /differ in length/);
  });
});

/**
 * The speaker ran dry for 80 ms at `stepSeconds` of the far end: all it played after that
 * sounds 80 ms later than the reference (the tape of what kaiwa handed it) says.
 */
function steppedScene(stepSeconds: number) {
  const speech = farEndSpeech();
  const far = new Int16Array(speech.length * 2);
  far.set(speech);
  far.set(speech, speech.length);
  const step = Math.round(stepSeconds * RATE);
  const played = new Int16Array(far.length + Math.round(0.08 * RATE));
  played.set(far.subarray(0, step));
  played.set(far.subarray(step), step + Math.round(0.08 * RATE));
  const scene = echoScene({ delayMs: 300, gainDb: -6, far: played });
  const reference = new Int16Array(scene.reference.length);
  reference.set(far);
  return { mic: scene.mic, reference, step };
}

/** Echo energy left in the 600 ms after the step's echo arrived, with or without the player's notice. */
function leakAfterStep(noticed: boolean): { leak: number; mic: number } {
  const { mic, reference, step } = steppedScene(6);
  const canceller = new AcousticEchoCanceller(RATE);
  const out = new Int16Array(mic.length);
  const chunk = RATE / 50;
  for (let at = 0; at < mic.length; at += chunk) {
    // The player notices at its late refill, around when the step is handed over: before its echo comes.
    if (noticed && at <= step && step < at + chunk) canceller.timelineSuspect(step - at);
    const end = Math.min(at + chunk, mic.length);
    out.set(canceller.process(mic.subarray(at, end), reference.subarray(at, end)), at);
  }
  const from = step + Math.round(0.3 * RATE);
  const to = from + Math.round(0.6 * RATE);
  return { leak: energy(out.subarray(canceller.latencySamples), from, to), mic: energy(mic, from, to) };
}

it('a step of the speaker timeline that the player reported is cut before its echo leaks; unreported, it leaks', () => {
  const unreported = leakAfterStep(false);
  const reported = leakAfterStep(true);
  const unreportedDb = db(unreported.mic / Math.max(unreported.leak, 1));
  const reportedDb = db(reported.mic / Math.max(reported.leak, 1));
  assert.ok(reportedDb >= unreportedDb + 10, `reported ${reportedDb.toFixed(1)} dB vs unreported ${unreportedDb.toFixed(1)} dB removed after the step`);
  assert.ok(reportedDb >= 30, `reported: ${reportedDb.toFixed(1)} dB removed after the step`);
});

describe('AcousticEchoCanceller on a microphone that does not hear the speaker (headphones)', () => {
  /** The far end three times (~22 s); the microphone hears it (300 ms, -6 dB) only from `echoFrom` seconds on, if at all. */
  function headphones(noiseDbfs: number | 'zero' | 'dither', echoFrom?: number) {
    const speech = farEndSpeech();
    const far = new Int16Array(3 * speech.length);
    for (let i = 0; i < 3; i++) far.set(speech, i * speech.length);
    const heard = echoScene({ delayMs: 300, gainDb: -6, far });
    const mic = noiseDbfs === 'zero' ? new Int16Array(heard.mic.length)
      : noiseDbfs === 'dither' ? silentDither(heard.mic.length) : echoScene({ delayMs: 300, gainDb: -200, far, noiseDbfs }).mic;
    const cut = echoFrom === undefined ? mic.length : Math.round(echoFrom * RATE);
    mic.set(heard.mic.subarray(cut), cut);
    const canceller = new AcousticEchoCanceller(RATE, { maxDelayMs: 700 });
    const chunk = RATE / 50;
    const estimatesAt: Array<{ seconds: number; count: number }> = [];
    let lockedAfter: number | undefined;
    let holdingAfter: number | undefined;
    let lockedEarly = false;
    for (let at = 0; at < mic.length; at += chunk) {
      const end = Math.min(at + chunk, mic.length);
      canceller.process(mic.subarray(at, end), heard.reference.subarray(at, end));
      const status = canceller.status;
      if (end <= cut && status.delayMs !== undefined) lockedEarly = true;
      if (end > cut && lockedAfter === undefined && status.delayMs !== undefined) lockedAfter = (end - cut) / RATE;
      if (end > cut && holdingAfter === undefined && status.holding) holdingAfter = (end - cut) / RATE;
      estimatesAt.push({ seconds: end / RATE, count: canceller.delayEstimates });
    }
    const estimates = (seconds: number): number => (estimatesAt.find((e) => e.seconds >= seconds) ?? estimatesAt.at(-1)!).count;
    return { estimates, lockedAfter, holdingAfter, lockedEarly, delayMs: canceller.status.delayMs };
  }

  for (const silence of ['zero', 'dither'] as const) {
    it(`computes no correlation at all over a digitally silent microphone (an idle null sink${silence === 'dither' ? ', dithered by SoX' : ''}), not even before judging it`, () => {
      const run = headphones(silence);
      assert.equal(run.estimates(Infinity), 0);
    });
  }

  for (const noise of ['zero', -70, -60] as const) {
    it(`stops searching for a delay once it judged the speaker unheard (microphone ${noise === 'zero' ? 'digitally silent' : `at ${noise} dBFS of noise`})`, () => {
      const run = headphones(noise);
      // Judged within the first two seconds of far end; before, the search ran to the end (~170 correlations).
      assert.ok(run.estimates(2) <= 15, `${run.estimates(2)} correlations before the verdict`);
      assert.equal(run.estimates(Infinity), run.estimates(2), 'none after it');
      assert.equal(run.delayMs, undefined);
    });
  }

  it('finds the echo when the headphones are unplugged mid-reply, as fast as before the search stopped', () => {
    const run = headphones(-75, 8.2);
    assert.equal(run.lockedEarly, false);
    assert.ok(run.estimates(8.2) <= 15, `${run.estimates(8.2)} correlations while the microphone was quiet`);
    // Before the search stopped: locked 1.46 s and holding 1.56 s after the echo appeared (EchoPresence wants 1 s of sound first).
    assert.ok(run.lockedAfter !== undefined && run.lockedAfter <= 1.5, `locked after ${run.lockedAfter} s`);
    assert.ok(run.holdingAfter !== undefined && run.holdingAfter <= 1.6, `holding after ${run.holdingAfter} s`);
    assert.ok(run.delayMs !== undefined && Math.abs(run.delayMs - 300) <= 4, `delay ${run.delayMs}`);
  });
});

/**
 * Two replies 3 s apart; while the speaker was idle its latency moved (a Bluetooth speaker, a
 * sound server's loopback re-buffering), so the second reply's echo comes `slipMs` later than the
 * first's. The onset of the second reply's echo, the `windowSeconds` after it arrives: mic energy and what was let through.
 */
function slippedWhileIdle(slipMs: number, windowSeconds = 0.6): { mic: number; leak: number } {
  const speech = farEndSpeech();
  const gap = 3 * RATE;
  const first = new Int16Array(speech.length * 2 + gap);
  first.set(speech);
  const second = new Int16Array(first.length);
  second.set(speech, speech.length + gap);
  const before = echoScene({ delayMs: 270, gainDb: 0, far: first, noiseDbfs: -90 });
  const after = echoScene({ delayMs: 270 + slipMs, gainDb: 0, far: second, noiseDbfs: -90 });
  const length = Math.min(before.mic.length, after.mic.length);
  const mic = Int16Array.from({ length }, (_, i) => Math.max(-32768, Math.min(32767, before.mic[i]! + after.mic[i]!)));
  const reference = Int16Array.from({ length }, (_, i) => (first[i] ?? 0) + (second[i] ?? 0));
  const canceller = new AcousticEchoCanceller(RATE, { maxDelayMs: 700 });
  const out = new Int16Array(length);
  const chunk = RATE / 50;
  for (let at = 0; at < length; at += chunk) {
    const end = Math.min(at + chunk, length);
    out.set(canceller.process(mic.subarray(at, end), reference.subarray(at, end)), at);
  }
  const from = speech.length + gap + after.echoStart;
  const to = from + Math.round(windowSeconds * RATE);
  return { mic: energy(mic, from, to), leak: energy(out.subarray(canceller.latencySamples), from, to) };
}

it('a reply whose echo comes 12 ms later than the last one\'s (the speaker\'s latency moved while idle): its onset is held down, not passed as a voice', () => {
  const { mic, leak } = slippedWhileIdle(12);
  const removedDb = db(mic / Math.max(leak, 1));
  assert.ok(removedDb >= FIRST_SECOND_ATTENUATION_DB, `${removedDb.toFixed(1)} dB removed in the second reply's first 600 ms`);
});

it('a reply whose echo comes where the last one\'s did, after the speaker was idle 3 s: its onset is held down to the steady attenuation', () => {
  const { mic, leak } = slippedWhileIdle(0);
  const removedDb = db(mic / Math.max(leak, 1));
  assert.ok(removedDb >= STEADY_ATTENUATION_DB, `${removedDb.toFixed(1)} dB removed in the second reply's first 600 ms`);
});
