import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AcousticEchoCanceller, type EchoCancellerStatus } from '../../src/audio/acoustic-echo-canceller.js';
import type { DelayEstimate } from '../../src/audio/echo-delay-estimator.js';
import { RATE, echoScene, farEndSpeech, nearEndSpeech, silentDither } from '../helpers/echo-path.js';

interface Scene { mic: Int16Array; reference: Int16Array }

/** The far end three times (~22 s) into headphones: the microphone hears none of it, only what `mic` makes of the room. */
function headphones(mic: (length: number) => Int16Array): Scene {
  const speech = farEndSpeech();
  const far = new Int16Array(3 * speech.length);
  for (let i = 0; i < 3; i++) far.set(speech, i * speech.length);
  const { reference } = echoScene({ delayMs: 300, gainDb: -6, far });
  return { mic: mic(reference.length), reference };
}

/** The same far end, heard through the room (300 ms, -6 dB) from `seconds` on: the headphones were taken off. */
function unplugged(seconds: number): Scene {
  const speech = farEndSpeech();
  const far = new Int16Array(3 * speech.length);
  for (let i = 0; i < 3; i++) far.set(speech, i * speech.length);
  const heard = echoScene({ delayMs: 300, gainDb: -6, far });
  const mic = echoScene({ delayMs: 300, gainDb: -200, far }).mic;
  const cut = Math.round(seconds * RATE);
  mic.set(heard.mic.subarray(cut), cut);
  return { mic, reference: heard.reference };
}

interface Run { out: Int16Array; statuses: EchoCancellerStatus[]; estimates: DelayEstimate[]; resting: boolean[]; restingChunks: number; chunks: number; wokeAt: number | undefined }

function run(scene: Scene, chunk: number, rest: boolean, voiceAt = Infinity): Run {
  const canceller = new AcousticEchoCanceller(RATE, { maxDelayMs: 700, rest });
  const out = new Int16Array(scene.mic.length);
  const statuses: EchoCancellerStatus[] = [];
  const estimates: DelayEstimate[] = [];
  const resting: boolean[] = [];
  let wokeAt: number | undefined;
  for (let at = 0; at < scene.mic.length; at += chunk) {
    const end = Math.min(at + chunk, scene.mic.length);
    canceller.process(scene.mic.subarray(at, end), scene.reference.subarray(at, end), out.subarray(at, end));
    statuses.push({ ...canceller.status });
    estimates.push(canceller.lastDelayEstimate);
    resting.push(canceller.resting);
    if (at >= voiceAt && wokeAt === undefined && !canceller.resting) wokeAt = at;
  }
  return { out, statuses, estimates, resting, restingChunks: resting.filter(Boolean).length, chunks: resting.length, wokeAt };
}

function assertSameAsWorkingThrough(scene: Scene, chunk: number, voiceAt?: number): Run {
  const resting = run(scene, chunk, true, voiceAt);
  const working = run(scene, chunk, false);
  const differing = resting.out.findIndex((sample, i) => sample !== working.out[i]);
  assert.equal(differing, -1, `the outputs differ from sample ${differing}`);
  assert.deepEqual(resting.statuses, working.statuses);
  // What the delay search heard, taken or not: the same audio, in the same order, whenever it listened.
  assert.deepEqual(resting.estimates, working.estimates);
  assert.equal(working.restingChunks, 0);
  return resting;
}

describe('AcousticEchoCanceller at rest (the microphone does not hear the speaker and holds no sound)', () => {
  const scenes: Record<string, () => Scene> = {
    'an idle null sink, dithered by SoX': () => headphones((length) => silentDither(length)),
    'a quiet room (-75 dBFS of noise)': () => headphones(() => echoScene({ delayMs: 300, gainDb: -200, far: farEndSpeech(), noiseDbfs: -75 }).mic),
  };
  for (const [name, scene] of Object.entries(scenes)) {
    it(`rests through most of a reply into headphones, with the very output and status of working every block through (${name})`, () => {
      const made = scene();
      // Chunks as SoX reads them (85 ms: whole blocks), as the tests feed them (20 ms) and split (333 samples).
      for (const chunk of [2048, RATE / 50, 333]) {
        const resting = assertSameAsWorkingThrough(made, chunk);
        assert.ok(resting.restingChunks > 0.8 * resting.chunks, `rested in ${resting.restingChunks} of ${resting.chunks} chunks of ${chunk}`);
      }
    });
  }

  it('wakes at the user\'s first word over the far end, and cancels as if it never rested', () => {
    const voiceAt = 6 * RATE;
    const scene = headphones((length) => {
      const mic = silentDither(length);
      const voice = nearEndSpeech(-12);
      for (let i = 0; i < voice.length && voiceAt + i < length; i++) mic[voiceAt + i] = voice[i]!;
      return mic;
    });
    // Chunks of whole blocks (SoX's) wake in the middle of one; 20 ms chunks split blocks. Awake by the end of the chunk after the voice's first.
    for (const chunk of [2048, RATE / 50]) {
      const resting = assertSameAsWorkingThrough(scene, chunk, voiceAt);
      const firstSound = scene.mic.findIndex((sample, i) => i >= voiceAt && Math.abs(sample) > 300);
      assert.ok(resting.wokeAt !== undefined && resting.wokeAt <= firstSound + chunk, `woke at ${resting.wokeAt}, the voice sounds from ${firstSound}`);
    }
  });

  it('rests from the start until the first reply\'s echo sounds (the user speaking first wakes it), then cancels that echo as if it never rested', () => {
    const voice = nearEndSpeech(-12);
    const voiceFrom = 0.3 * RATE;
    const voiceTo = voiceFrom + voice.length;
    const lead = echoScene({ delayMs: 0, gainDb: -200, far: new Int16Array(voiceTo + 2 * RATE), nearVoice: voice, nearAtSeconds: voiceFrom / RATE, noiseDbfs: -65 }).mic;
    const room = echoScene({ delayMs: 300, gainDb: -6, far: farEndSpeech(), noiseDbfs: -65 });
    const mic = new Int16Array(lead.length + room.mic.length);
    mic.set(lead);
    mic.set(room.mic, lead.length);
    const reference = new Int16Array(mic.length);
    reference.set(room.reference, lead.length);
    const chunk = RATE / 50;
    const resting = assertSameAsWorkingThrough({ mic, reference }, chunk);
    const restedShare = (from: number, to: number) => {
      const chunks = resting.resting.slice(Math.ceil(from / chunk), Math.floor(to / chunk));
      return chunks.filter(Boolean).length / chunks.length;
    };
    assert.ok(restedShare(0.1 * RATE, voiceFrom) > 0.8, `rested in ${restedShare(0.1 * RATE, voiceFrom)} of the chunks before the user spoke`);
    assert.ok(restedShare(voiceTo + 0.2 * RATE, lead.length) > 0.8, `rested in ${restedShare(voiceTo + 0.2 * RATE, lead.length)} of the chunks after`);
    const firstPlayed = reference.findIndex((sample) => sample !== 0);
    // The echo comes 300 ms after the reply sounds: until then nothing reaches the microphone.
    const echoFrom = firstPlayed + 0.3 * RATE;
    assert.ok(restedShare(firstPlayed + chunk, echoFrom - chunk) > 0.8, `rested in ${restedShare(firstPlayed + chunk, echoFrom - chunk)} of the chunks before the echo came`);
    const wokeFor = resting.resting.findIndex((rests, i) => i * chunk >= firstPlayed + chunk && !rests) * chunk;
    assert.ok(wokeFor >= echoFrom - chunk && wokeFor <= echoFrom + 0.1 * RATE, `woke at ${wokeFor / RATE} s, the echo comes at ${echoFrom / RATE} s`);
    assert.ok(Math.abs(resting.statuses.at(-1)!.delayMs! - 300) <= 4, `delay ${resting.statuses.at(-1)!.delayMs}`);
  });

  it('rests through what the user says while nothing plays, before the first reply and between replies into headphones, with the very output and status of working every block through', () => {
    const speech = farEndSpeech();
    const voice = nearEndSpeech(-12);
    const gap = voice.length + 3 * RATE;
    // The user talks, a reply plays into headphones, the user talks again 0.8 s after it
    // ended (its last words still in the delay search's window), a second reply plays.
    const firstVoiceAt = 2.5 * RATE;
    const firstReplyAt = firstVoiceAt + voice.length + RATE;
    const lastPlayed = firstReplyAt + speech.findLastIndex((sample) => Math.abs(sample) > 1) + 1;
    const secondVoiceAt = lastPlayed + 0.8 * RATE;
    const secondReplyAt = firstReplyAt + speech.length + gap;
    const reference = new Int16Array(secondReplyAt + speech.length);
    reference.set(speech, firstReplyAt);
    reference.set(speech, secondReplyAt);
    const mic = silentDither(reference.length);
    mic.set(voice, firstVoiceAt);
    mic.set(voice, secondVoiceAt);
    const voiced = (from: number) => [from + 0.1 * RATE, from + voice.length - 0.1 * RATE] as const;
    for (const chunk of [2048, RATE / 50]) {
      const resting = assertSameAsWorkingThrough({ mic, reference }, chunk);
      const restedShare = ([from, to]: readonly [number, number]) => {
        const chunks = resting.resting.slice(Math.ceil(from / chunk), Math.floor(to / chunk));
        return chunks.filter(Boolean).length / chunks.length;
      };
      // Before any reply the speaker may be heard: a block whose delay estimate is due goes through the full path.
      assert.ok(restedShare(voiced(firstVoiceAt)) > 0.5, `rested in ${restedShare(voiced(firstVoiceAt))} of the chunks of the first voice (chunks of ${chunk})`);
      assert.ok(restedShare(voiced(secondVoiceAt)) > 0.9, `rested in ${restedShare(voiced(secondVoiceAt))} of the chunks of the second voice (chunks of ${chunk})`);
      assert.ok(resting.statuses.some((status) => status.doubleTalk), 'the detector followed the voice');

    }
  });

  it('rests between replies through speakers once the far end is out of reach, through what the user says too, with the very output and status of working every block through', () => {
    const first = echoScene({ delayMs: 300, gainDb: -6, far: farEndSpeech(), noiseDbfs: -65 });
    const voice = nearEndSpeech(-12);
    const voiceAt = first.mic.length + 2 * RATE;
    const secondAt = voiceAt + voice.length + RATE;
    const second = echoScene({ delayMs: 300, gainDb: -6, far: farEndSpeech(), noiseDbfs: -65 });
    const room = echoScene({ delayMs: 0, gainDb: -200, far: new Int16Array(secondAt - first.mic.length), nearVoice: voice, nearAtSeconds: (voiceAt - first.mic.length) / RATE, noiseDbfs: -65 }).mic;
    const mic = new Int16Array(secondAt + second.mic.length);
    mic.set(first.mic);
    mic.set(room.subarray(0, secondAt - first.mic.length), first.mic.length);
    mic.set(second.mic, secondAt);
    const reference = new Int16Array(mic.length);
    reference.set(first.reference);
    reference.set(second.reference, secondAt);
    const lastPlayed = first.reference.findLastIndex((sample) => sample !== 0) + 1;
    for (const chunk of [2048, RATE / 50, 333]) {
      const resting = assertSameAsWorkingThrough({ mic, reference }, chunk);
      const rested = resting.resting.slice(Math.ceil((lastPlayed + 1.5 * RATE) / chunk), Math.floor(secondAt / chunk));
      assert.ok(rested.filter(Boolean).length > 0.9 * rested.length, `rested in ${rested.filter(Boolean).length} of the ${rested.length} chunks between the replies (chunks of ${chunk})`);
      const between = resting.statuses.slice(Math.ceil((lastPlayed + 1.5 * RATE) / chunk), Math.floor(secondAt / chunk));
      assert.ok(between.every((status) => status.delayMs !== undefined && status.holding), 'the delay and the hold stay known between the replies');
      assert.ok(between.some((status) => status.doubleTalk), 'the detector followed the voice');
      assert.ok(Math.abs(resting.statuses.at(-1)!.delayMs! - 300) <= 4 && resting.statuses.at(-1)!.holding, `after the second reply: ${JSON.stringify(resting.statuses.at(-1))}`);
    }
  });

  it('finds the echo when the headphones are taken off mid-reply, as when it never rested', () => {
    const resting = assertSameAsWorkingThrough(unplugged(8.2), RATE / 50);
    const before = resting.resting.slice(0, 8 * 50);
    assert.ok(before.filter(Boolean).length > 0.5 * before.length, 'it rested before');
    assert.ok(Math.abs(resting.statuses.at(-1)!.delayMs! - 300) <= 4, `delay ${resting.statuses.at(-1)!.delayMs}`);
  });
});
