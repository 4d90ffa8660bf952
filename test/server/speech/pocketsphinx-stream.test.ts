import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { int16ToBuffer } from '../../../src/audio/pcm16.js';
import { findStreamingRecognizer, type PocketsphinxStream } from '../../../src/server/speech/pocketsphinx-stream.js';
import type { LiveUtterance } from '../../../src/server/speech/streaming-recognizer.js';
import { liveSpeechPids } from '../../../src/server/speech/speech-children.js';
import { espeakSpeechAt } from '../../helpers/speech-audio.js';
import { TEST_SENTENCES } from '../../helpers/speech-sentences.js';
import { wordErrorRate } from '../../helpers/speech-wer.js';
import { waitFor } from '../../helpers/wait-for.js';

/**
 * The voice the batch transcriber's tests use (30-36 % WER there). A decoder's first
 * turn is its worst (its cepstral mean is not adapted yet); the bound keeps a wide margin.
 */
const VOICE = { voice: 'en-us+f5', wordsPerMinute: 160 };
const MAX_WER = 0.5;

let recognizer: PocketsphinxStream | undefined;
/** The recognizer's clock: audio fed by speak() arrives as it would be spoken. */
let clockMs = 0;
const now = () => clockMs;

before(async () => {
  const found = await findStreamingRecognizer({ now });
  assert.ok('recognizer' in found, `the streaming recognizer did not start: ${'missing' in found ? found.missing : ''}`);
  recognizer = found.recognizer;
});
after(() => recognizer?.close());

/** Feeds 20 ms chunks as appends arrive, `speed` times faster than real time on the recognizer's clock. */
function speak(utterance: LiveUtterance, pcm: Buffer, rate: number, speed = 1): void {
  const chunk = (rate / 50) * 2;
  for (let offset = 0; offset < pcm.length; offset += chunk) {
    utterance.write(pcm.subarray(offset, offset + chunk));
    clockMs += 20 / speed;
  }
}

const spoken = (text: string, rate = 24000) => int16ToBuffer(espeakSpeechAt(text, rate, VOICE));

test(`recognizes espeak-ng sentences fed as they are spoken at 24 kHz with WER below ${MAX_WER * 100} %`, async () => {
  const pairs: { reference: string; hypothesis: string }[] = [];
  for (const reference of TEST_SENTENCES) {
    const utterance = recognizer!.begin(24000);
    speak(utterance, spoken(reference), 24000);
    pairs.push({ reference, hypothesis: await utterance.finish() });
  }
  const wer = wordErrorRate(pairs);
  console.log(`# streaming pocketsphinx 24 kHz: WER ${(wer * 100).toFixed(1)} % over ${pairs.length} sentences`);
  for (const pair of pairs) console.log(`#   ${pair.reference} -> ${pair.hypothesis}`);
  assert.ok(wer < MAX_WER, `WER ${wer}`);
});

test('a turn with a pause in it is recognized as its two segments, in order', async () => {
  const [first, second] = ['i would like a cup of coffee with milk', 'where is the nearest train station'];
  const utterance = recognizer!.begin(24000);
  speak(utterance, spoken(first), 24000);
  utterance.pause();
  speak(utterance, Buffer.alloc(24000 * 2 * 0.3), 24000);
  utterance.resume();
  speak(utterance, spoken(second), 24000);
  const words = await utterance.finish();
  assert.ok(wordErrorRate([{ reference: `${first} ${second}`, hypothesis: words }]) < MAX_WER, words);
  assert.match(words, /coffee/);
  assert.match(words, /station/);
  assert.ok(words.indexOf('coffee') < words.indexOf('station'), words);
});

test('audio streamed 4× faster than real time is decoded by the fast search; the full search still works after it on the same decoder', async () => {
  const [first, second] = ['i would like a cup of coffee with milk', 'where is the nearest train station'];
  const before = recognizer!.segmentsDecoded;
  const streamed = recognizer!.begin(24000);
  speak(streamed, spoken(first), 24000, 4);
  assert.match(await streamed.finish(), /coffee/);
  const afterFast = recognizer!.segmentsDecoded;
  assert.deepEqual([afterFast.fast - before.fast, afterFast.thorough - before.thorough], [1, 0]);

  const live = recognizer!.begin(24000);
  speak(live, spoken(second), 24000, 4);
  live.pause(); // the rest arrives as it is spoken
  speak(live, Buffer.alloc(24000 * 2), 24000);
  live.resume();
  speak(live, spoken(first), 24000);
  const words = await live.finish();
  assert.match(words, /station.*coffee/);
  const afterBoth = recognizer!.segmentsDecoded;
  assert.deepEqual([afterBoth.fast - afterFast.fast, afterBoth.thorough - afterFast.thorough], [1, 1]);
});

test('utterances run side by side, on a process per core, without mixing their audio', async () => {
  const sentences = ['the weather today is cold and windy', 'can you tell me what time it is'];
  const found = await findStreamingRecognizer({ maxProcesses: 3, now });
  assert.ok('recognizer' in found);
  const recognizer = found.recognizer;
  after(() => recognizer.close());
  const audio = sentences.map((sentence) => spoken(sentence, 16000));
  // One speaker at a time: always the first process (its decoders know the voice).
  for (let turn = 0; turn < 3; turn++) {
    const utterance = recognizer.begin(16000);
    speak(utterance, audio[0]!, 16000);
    await utterance.finish();
  }
  assert.equal(recognizer.processCount, 1);
  const utterances = sentences.map(() => recognizer.begin(16000));
  for (let offset = 0; offset < Math.max(...audio.map((pcm) => pcm.length)); offset += 640) {
    utterances.forEach((utterance, i) => utterance.write(audio[i]!.subarray(offset, offset + 640)));
    clockMs += 20;
  }
  const words = await Promise.all(utterances.map((utterance) => utterance.finish()));
  assert.ok(wordErrorRate(sentences.map((reference, i) => ({ reference, hypothesis: words[i]! }))) < MAX_WER, JSON.stringify(words));
  assert.equal(recognizer.processCount, 2, 'the second speaker got a process of its own');
});

test('while a sentence is spoken its words so far come back, changes only, at most one report per 300 ms of audio, growing towards the final words', async () => {
  const sentence = 'where is the nearest train station';
  const audio = spoken(sentence);
  const utterance = recognizer!.begin(24000);
  const reports: string[] = [];
  utterance.listen!((heard) => reports.push(heard.tentative));
  // Half the sentence: words come back before the rest is spoken.
  const half = Math.floor(audio.length / 4) * 2;
  speak(utterance, audio.subarray(0, half), 24000);
  await waitFor(() => reports.length > 0, { what: 'words while the first half is decoded', timeoutMs: 10_000 });
  speak(utterance, audio.subarray(half), 24000);
  await waitFor(() => /station/.test(reports.at(-1) ?? ''), { what: 'the last word in a report', timeoutMs: 10_000 }).catch(() => undefined);
  const final = await utterance.finish();
  const speechMs = audio.length / 48;
  console.log(`# ${reports.length} reports over ${speechMs.toFixed(0)} ms of speech: ${JSON.stringify(reports)}; final "${final}"`);
  assert.ok(reports.length >= 3, 'several reports while the sentence is spoken');
  assert.ok(reports.length <= Math.ceil(speechMs / 300), 'at most one per 300 ms of audio');
  assert.ok(reports.every((report, i) => i === 0 || report !== reports[i - 1]), 'only changes are reported');
  assert.ok(wordErrorRate([{ reference: sentence, hypothesis: reports.at(-1)! }]) < MAX_WER, 'the last guess is close to the sentence');
  const after = reports.length;
  const next = recognizer!.begin(24000);
  speak(next, spoken('we need to buy some bread and butter'), 24000);
  await next.finish();
  assert.equal(reports.length, after, 'a finished utterance tells nothing more');
});

test('silence gives no words, and an aborted utterance gives its decoder back', async () => {
  const silent = recognizer!.begin(24000);
  speak(silent, Buffer.alloc(48000), 24000);
  assert.equal(await silent.finish(), '');
  const aborted = recognizer!.begin(24000);
  speak(aborted, spoken('we need to buy some bread and butter'), 24000);
  aborted.abort();
  const next = recognizer!.begin(24000);
  speak(next, spoken('we need to buy some bread and butter'), 24000);
  assert.match(await next.finish(), /bread/);
});

test('a recognizer process killed mid-turn fails that turn; the next turn starts a new process', async () => {
  const before = new Set(liveSpeechPids());
  const found = await findStreamingRecognizer();
  assert.ok('recognizer' in found);
  const own = found.recognizer;
  try {
    const [pid] = liveSpeechPids().filter((candidate) => !before.has(candidate));
    assert.ok(pid, 'the recognizer process is registered');
    const utterance = own.begin(24000);
    speak(utterance, spoken('i would like a cup of coffee with milk'), 24000);
    process.kill(pid, 'SIGKILL');
    await assert.rejects(utterance.finish(), /pocketsphinx stream: .*(SIGKILL|restarted)/);
    const next = own.begin(24000);
    speak(next, spoken('i would like a cup of coffee with milk'), 24000);
    assert.match(await next.finish(), /coffee/);
  } finally {
    own.close();
  }
  const leftOver = () => liveSpeechPids().filter((pid) => !before.has(pid));
  await waitFor(() => leftOver().length === 0, { what: 'no recognizer left', timeoutMs: 5000 }).catch(() => undefined);
  assert.deepEqual(leftOver(), [], 'close() leaves no process behind');
});

test('says in one line why it cannot run: no Python, no pocketsphinx module, no model', async () => {
  const noPython = await findStreamingRecognizer({ python: '/nonexistent/python3' });
  assert.ok('missing' in noPython && /could not start \/nonexistent\/python3.*apt-get install python3-pocketsphinx/.test(noPython.missing), JSON.stringify(noPython));
  const broken = await findStreamingRecognizer({ python: '/bin/false' });
  assert.ok('missing' in broken && /exited \(code 1\)/.test(broken.missing), JSON.stringify(broken));
  const noModel = await findStreamingRecognizer({ modelDir: '/nonexistent/model' });
  assert.ok('missing' in noModel && /model is missing/.test(noModel.missing), JSON.stringify(noModel));
  for (const lookup of [noPython, broken, noModel]) assert.ok(!('missing' in lookup) || !lookup.missing.includes('\n'));
});
