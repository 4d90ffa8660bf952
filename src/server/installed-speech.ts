import type { Logger } from '../logger.js';
import { loadSpeechParts, type SpeechParts } from './speech-parts.js';

/**
 * The speech parts this machine can run: WebRTC VAD (shipped as wasm in an npm package),
 * pocketsphinx when Debian's packages are installed, espeak-ng for the voice. A part that
 * is missing stays undefined and sessions say so in their events; nothing is faked.
 * One loader (speech-parts.ts) serves both `kaiwa serve` and the embedded local server.
 */
export function loadInstalledSpeech(logger: Logger): Promise<SpeechParts> {
  return loadSpeechParts((message) => logger.log('warn', message));
}
