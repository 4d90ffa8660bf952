import type { Logger } from '../logger.js';
import { NO_SPEECH, type SpeechParts } from './speech-parts.js';

/**
 * The speech parts this machine can run (detector, recognizer, voice). Each part that is
 * missing stays undefined, and sessions say so in their events.
 */
export async function loadInstalledSpeech(_logger: Logger): Promise<SpeechParts> {
  return NO_SPEECH;
}
