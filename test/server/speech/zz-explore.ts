import { createTranscriber } from '../../../src/server/speech/pocketsphinx-transcriber.js';
import { int16ToBuffer } from '../../../src/audio/pcm16.js';
import { espeakSpeechAt } from '../../helpers/speech-audio.js';
import { wordErrorRate } from '../../helpers/speech-wer.js';
const S = `the quick brown fox jumps over the lazy dog
please call stella and ask her to bring these things from the store
it is going to rain tomorrow afternoon
i would like a cup of coffee with milk
turn left at the next traffic light
where is the nearest train station
the meeting has been moved to next monday
can you tell me what time it is
she sells sea shells by the sea shore
we need to buy some bread and butter
the weather today is cold and windy
open the window please
how much does this book cost
i am going to the park with my dog`.split('\n');
const t0 = Date.now();
const tr = (await createTranscriber())!;
console.log('create ms', Date.now() - t0);
for (const voice of (process.env.VOICES ?? 'en-us+f5').split(',')) for (const wpm of [150, 175]) for (const rate of [24000, 8000]) {
  const pairs = []; let audio = 0; let ms = 0;
  for (const s of S) {
    const pcm = espeakSpeechAt(s, rate, { voice, wordsPerMinute: wpm }); audio += pcm.length / rate;
    const a = Date.now(); const h = await tr.transcribe(int16ToBuffer(pcm), rate); ms += Date.now() - a;
    pairs.push({ reference: s, hypothesis: h });
  }
  console.log(voice, wpm, rate, 'WER', (100 * wordErrorRate(pairs)).toFixed(1), 'ms per audio s', (ms / audio).toFixed(0), process.env.V ? pairs.map(p => p.hypothesis).join(' | ') : '');
}
tr.close();
