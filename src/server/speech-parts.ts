/**
 * The offline speech parts a session uses. Each may be missing (no recognizer or voice
 * installed on this machine); sessions then say so in their events instead of pretending.
 */
import type { SpeechDetector, SpeechDetectorOptions } from './speech/speech-detector.js';
import type { Transcriber } from './speech/transcriber.js';
import type { StreamingRecognizer } from './speech/streaming-recognizer.js';
import type { Synthesizer } from './speech/synthesizer.js';
import { errorMessage } from '../errors.js';

export interface SpeechParts {
  /** Undefined when no detector can run here; turn detection then waits for manual commits. */
  createDetector: ((options: SpeechDetectorOptions) => SpeechDetector) | undefined;
  transcriber: Transcriber | undefined;
  /** Recognizes turns while they are spoken; the transcriber covers what it does not. */
  recognizer?: StreamingRecognizer | undefined;
  synthesizer: Synthesizer | undefined;
  /** Why there is no transcriber, for `…input_audio_transcription.failed`. */
  transcriberMissing?: string;
  /** Stops helper processes kept warm (the recognizers); called when the server shuts down. */
  close?: () => void;
}

export const NO_SPEECH: SpeechParts = {
  createDetector: undefined,
  transcriber: undefined,
  synthesizer: undefined,
  transcriberMissing: 'no offline speech recognizer is installed for kaiwa serve',
};

/**
 * The speech parts installed on this machine, loaded side by side (each warms up a
 * process or a wasm module). Each one that fails to load is left out (and logged) so the
 * server still starts: text sessions need none of them.
 */
export async function loadSpeechParts(
  log: (message: string) => void = () => undefined, options: { listening?: boolean } = {},
): Promise<SpeechParts> {
  // A server that will hear no audio (a typed conversation) needs no recognizer processes.
  if (options.listening === false) {
    const [createDetector, synthesizer] = await Promise.all([loadDetector(log), loadSynthesizer(log)]);
    return { ...NO_SPEECH, createDetector, synthesizer };
  }
  const [createDetector, transcription, recognizer, synthesizer] = await Promise.all([
    loadDetector(log), loadTranscriber(log), loadStreamingRecognizer(log), loadSynthesizer(log),
  ]);
  const parts: SpeechParts = { ...NO_SPEECH, createDetector, synthesizer };
  if ('missing' in transcription) {
    parts.transcriberMissing = transcription.missing;
    recognizer?.close();
    return parts;
  }
  const { transcriber } = transcription;
  parts.transcriber = transcriber;
  delete parts.transcriberMissing;
  // Live recognition only shortens what batch recognition would do: never one without the other.
  parts.recognizer = recognizer;
  parts.close = () => {
    transcriber.close();
    recognizer?.close();
  };
  return parts;
}

async function loadDetector(log: (message: string) => void): Promise<SpeechParts['createDetector']> {
  try {
    const { loadSpeechDetectorFactory } = await import('./speech/webrtc-speech-detector.js');
    return await loadSpeechDetectorFactory();
  } catch (error) {
    log(`turn detection unavailable: ${errorMessage(error)}`);
    return undefined;
  }
}

async function loadTranscriber(log: (message: string) => void): Promise<{ transcriber: Transcriber & { close(): void } } | { missing: string }> {
  try {
    const { findTranscriber } = await import('./speech/pocketsphinx-transcriber.js');
    const found = await findTranscriber();
    if ('missing' in found) log(`input transcription unavailable: ${found.missing}`);
    return found;
  } catch (error) {
    log(`input transcription unavailable: ${errorMessage(error)}`);
    return { missing: `the speech recognizer failed to load (${errorMessage(error)})` };
  }
}

async function loadSynthesizer(log: (message: string) => void): Promise<Synthesizer | undefined> {
  try {
    const { findSynthesizer } = await import('./speech/espeak-synthesizer.js');
    const found = await findSynthesizer();
    if ('synthesizer' in found) return found.synthesizer;
    log(`assistant voice unavailable (replies carry transcripts only): ${found.missing}`);
  } catch (error) {
    log(`assistant voice unavailable: ${errorMessage(error)}`);
  }
  return undefined;
}

/** Optional: without it each turn is recognized after it ends, which answers later. */
async function loadStreamingRecognizer(log: (message: string) => void): Promise<StreamingRecognizer | undefined> {
  try {
    const { findStreamingRecognizer } = await import('./speech/pocketsphinx-stream.js');
    const found = await findStreamingRecognizer();
    if ('recognizer' in found) return found.recognizer;
    log(`streaming recognition unavailable, turns are recognized after they end: ${found.missing}`);
  } catch (error) {
    log(`streaming recognition unavailable: ${errorMessage(error)}`);
  }
  return undefined;
}

