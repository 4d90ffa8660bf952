import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSynthesizer } from '../../../src/server/speech/espeak-synthesizer.js';
import { createTranscriber, type PocketsphinxTranscriber } from '../../../src/server/speech/pocketsphinx-transcriber.js';
import { TEST_SENTENCES } from '../../helpers/speech-sentences.js';
import { skipWithoutEspeak, skipWithoutPocketsphinx } from '../../helpers/speech-tools.js';
import { wordErrorRate } from '../../helpers/speech-wer.js';

/** Measured 30-36 % for alloy (en-us+f5) at speed 1; the bound keeps 15+ points of margin. */
const MAX_ROUND_TRIP_WER = 0.5;

let transcriber: PocketsphinxTranscriber | undefined;
after(() => transcriber?.close());

test(`synthesize → transcribe round trip stays below ${MAX_ROUND_TRIP_WER * 100} % WER`, { skip: skipWithoutEspeak() || skipWithoutPocketsphinx() }, async () => {
  const synthesizer = await createSynthesizer();
  transcriber = await createTranscriber();
  assert.ok(synthesizer && transcriber);
  const pairs: { reference: string; hypothesis: string }[] = [];
  for (const reference of TEST_SENTENCES.slice(0, 6)) {
    const chunks: Buffer[] = [];
    for await (const chunk of synthesizer.synthesize(reference, { voice: 'alloy', speed: 1, sampleRate: 24000 })) chunks.push(chunk);
    pairs.push({ reference, hypothesis: await transcriber.transcribe(Buffer.concat(chunks), 24000) });
  }
  const wer = wordErrorRate(pairs);
  console.log(`# round trip (alloy, 24 kHz): WER ${(wer * 100).toFixed(1)} %`);
  for (const pair of pairs) console.log(`#   ${pair.reference} -> ${pair.hypothesis}`);
  assert.ok(wer < MAX_ROUND_TRIP_WER, `WER ${wer}`);
});
