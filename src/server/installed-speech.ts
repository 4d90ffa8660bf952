import type { Logger } from '../logger.js';
import { errorMessage } from '../errors.js';
import type { SpeechParts } from './speech-parts.js';
import { loadSpeechDetectorFactory } from './speech/webrtc-speech-detector.js';
import { findTranscriber } from './speech/pocketsphinx-transcriber.js';

/**
 * The speech parts this machine can run: WebRTC VAD (shipped as wasm in an npm package),
 * pocketsphinx when Debian's packages are installed, espeak-ng for the voice. A part that
 * is missing stays undefined and sessions say so in their events; nothing is faked.
 */
export async function loadInstalledSpeech(logger: Logger): Promise<SpeechParts> {
  const createDetector = await loadSpeechDetectorFactory().catch((error: unknown) => {
    logger.log('warn', `no speech detector: ${errorMessage(error)}`);
    return undefined;
  });
  const lookup = await findTranscriber();
  return {
    createDetector,
    transcriber: 'transcriber' in lookup ? lookup.transcriber : undefined,
    ...('missing' in lookup ? { transcriberMissing: lookup.missing } : {}),
    synthesizer: undefined,
  };
}
