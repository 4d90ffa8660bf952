/**
 * Input audio transcription with Debian's pocketsphinx and its US English model. Audio
 * arrives at the session's rate (24 or 8 kHz) and is resampled to the model's 16 kHz.
 */
import { bufferToInt16 } from '../../audio/pcm16.js';
import { resample } from '../../audio/resample.js';
import type { Transcriber } from './transcriber.js';
import { findPocketsphinx, type PocketsphinxLocations } from './pocketsphinx-install.js';
import { POCKETSPHINX_RATE, PocketsphinxBatch } from './pocketsphinx-batch.js';
import { isEnglish } from './english-only.js';
import { errorMessage } from '../../errors.js';

export const POCKETSPHINX_MODEL_NAME = 'pocketsphinx-en-us';

/** A check that the whole chain works, at the cost of one model load that is kept warm anyway. */
const WARM_UP_SAMPLES = POCKETSPHINX_RATE / 10;

export class PocketsphinxTranscriber implements Transcriber {
  readonly model = POCKETSPHINX_MODEL_NAME;

  constructor(private readonly batch: PocketsphinxBatch) {}

  async transcribe(pcm: Buffer, sampleRate: number, options: { language?: string } = {}): Promise<string> {
    assertEnglish(options.language);
    // A dangling half sample can't be audio; dropping it beats failing the turn.
    const samples = bufferToInt16(pcm.subarray(0, pcm.length - (pcm.length % 2)));
    if (samples.length === 0) return '';
    return this.batch.recognize(resample(samples, sampleRate, POCKETSPHINX_RATE));
  }

  /** Stops the warm recognizer process. */
  close(): void {
    this.batch.close();
  }
}

export type TranscriberLookup = { transcriber: PocketsphinxTranscriber } | { missing: string };

/** Like createTranscriber, but says why there is none (for `…transcription.failed`). */
export async function findTranscriber(locations: PocketsphinxLocations = {}): Promise<TranscriberLookup> {
  const install = findPocketsphinx(locations);
  if (typeof install === 'string') return { missing: install };
  const batch = new PocketsphinxBatch(install);
  try {
    await batch.recognize(new Int16Array(WARM_UP_SAMPLES));
  } catch (error) {
    batch.close();
    return { missing: `pocketsphinx does not work here: ${errorMessage(error)}` };
  }
  return { transcriber: new PocketsphinxTranscriber(batch) };
}

/** Resolves undefined when pocketsphinx or its English model is missing or broken. */
export async function createTranscriber(locations: PocketsphinxLocations = {}): Promise<PocketsphinxTranscriber | undefined> {
  const found = await findTranscriber(locations);
  return 'transcriber' in found ? found.transcriber : undefined;
}

function assertEnglish(language: string | undefined): void {
  if (isEnglish(language)) return;
  throw new Error(`pocketsphinx has only an English model here; cannot transcribe language "${language}"`);
}
