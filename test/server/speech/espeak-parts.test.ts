import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESPEAK_VARIANTS, espeakVariantFor, wordsPerMinute } from '../../../src/server/speech/espeak-voice-map.js';
import { containsJapanese, espeakLanguageFor } from '../../../src/server/speech/espeak-language.js';
import { parseVoiceList } from '../../../src/server/speech/espeak-install.js';
import { WavStreamHeader } from '../../../src/server/speech/wav-stream-header.js';
import { EspeakPcmStream } from '../../../src/server/speech/espeak-pcm-stream.js';
import { pcm16WavHeader } from '../../../src/audio/wav-header.js';

const OPENAI_VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'];

test('every OpenAI voice has its own espeak-ng variant; unknown names get the default', () => {
  const variants = OPENAI_VOICES.map(espeakVariantFor);
  assert.equal(new Set(variants).size, OPENAI_VOICES.length);
  assert.deepEqual(Object.keys(ESPEAK_VARIANTS).sort(), [...OPENAI_VOICES].sort());
  assert.equal(espeakVariantFor('Nova'), espeakVariantFor('alloy'));
  assert.equal(espeakVariantFor('ECHO'), espeakVariantFor('echo'));
});

test('speed maps around espeak-ng’s 175 wpm and stays in its range', () => {
  assert.equal(wordsPerMinute(1), 175);
  assert.equal(wordsPerMinute(1.5), 263);
  assert.equal(wordsPerMinute(0.5), 88);
  assert.equal(wordsPerMinute(0.25), 80);
  assert.equal(wordsPerMinute(Number.NaN), 175);
});

test('language: explicit wins, Japanese script selects ja, unknown falls back to en-us', () => {
  const available = new Set(['en-us', 'en-gb', 'ja', 'fr-fr', 'fr-be', 'de']);
  assert.equal(espeakLanguageFor('Hello', undefined, available), 'en-us');
  assert.equal(espeakLanguageFor('Hello', 'en', available), 'en-us');
  assert.equal(espeakLanguageFor('Hello', 'en-GB', available), 'en-gb');
  assert.equal(espeakLanguageFor('Bonjour', 'fr', available), 'fr-fr');
  assert.equal(espeakLanguageFor('Bonjour', 'fr-BE', available), 'fr-be');
  assert.equal(espeakLanguageFor('Hola', 'es', new Set(['es-419'])), 'es-419');
  assert.equal(espeakLanguageFor('Hallo', 'de-AT', available), 'de');
  assert.equal(espeakLanguageFor('こんにちは', undefined, available), 'ja');
  assert.equal(espeakLanguageFor('東京', 'en', available), 'ja');
  assert.equal(espeakLanguageFor('Konnichiwa', 'ja-JP', available), 'ja');
  assert.equal(espeakLanguageFor('こんにちは', undefined, new Set(['en-us'])), 'en-us');
  assert.equal(espeakLanguageFor('Xin chào', 'xx', available), 'en-us');
  assert.ok(containsJapanese('ｶﾀｶﾅ') && containsJapanese('カタカナ') && !containsJapanese('kana'));
});

test('parseVoiceList reads the language column of espeak-ng --voices', () => {
  const listing = 'Pty Language       Age/Gender VoiceName          File                 Other Languages\n' +
    ' 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)\n' +
    ' 5  ja              --/M      Japanese           jpx/ja\n';
  assert.deepEqual([...parseVoiceList(listing)], ['en-us', 'ja']);
});

test('WavStreamHeader waits for the whole header, ignores placeholder sizes and hands on the audio after it', () => {
  const header = pcm16WavHeader(22050, 1, 0x7ffff000);
  const audio = Buffer.from([1, 0, 2, 0]);
  const reader = new WavStreamHeader();
  assert.equal(reader.push(header.subarray(0, 30)), undefined);
  const done = reader.push(Buffer.concat([header.subarray(30), audio]));
  assert.deepEqual(done?.format, { sampleRate: 22050, channels: 1, bitsPerSample: 16 });
  assert.deepEqual(done?.audio, audio);
  assert.throws(() => new WavStreamHeader().push(Buffer.from('not a wav file at all')), /RIFF/);
});

test('EspeakPcmStream splits into ≤100 ms chunks, keeping odd bytes for the next push', () => {
  const stream = new EspeakPcmStream(8000);
  const second = Buffer.alloc(16000 + 1, 1);
  const chunks = [...stream.push(pcm16WavHeader(8000, 1, 0)), ...stream.push(second), ...stream.push(Buffer.from([1])), ...stream.end()];
  assert.ok(chunks.every((chunk) => chunk.length <= 1600));
  assert.equal(chunks.reduce((total, chunk) => total + chunk.length, 0), 16002);
});
