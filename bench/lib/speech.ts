import { espeakPcm } from '../../test/helpers/bench-speech.js';

/** espeak-ng speech with the silence it starts and ends with cut off, so its last sample is the end of speech. */
export function trimmedSpeech(text: string, threshold = 400): Buffer {
  const pcm = espeakPcm(text);
  const samples = pcm.length / 2;
  let first = 0;
  while (first < samples && Math.abs(pcm.readInt16LE(first * 2)) < threshold) first++;
  let last = samples - 1;
  while (last > first && Math.abs(pcm.readInt16LE(last * 2)) < threshold) last--;
  return pcm.subarray(first * 2, (last + 1) * 2);
}
