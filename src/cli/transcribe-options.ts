import { Command, Option } from 'commander';
import { nonEmpty, numberIn } from './parse-values.js';
import { addVadOptions, type VadFlags } from './vad-flags.js';
import { languageList } from './session-values.js';
import { own } from '../own-text.js';

/** The newest realtime transcription model in the SDK's list, made for live audio and priced per minute. */
export const DEFAULT_TRANSCRIBE_MODEL = 'gpt-live-transcribe';

export type NoiseReductionFlag = 'near_field' | 'far_field' | 'off';

/** Everything `kaiwa transcribe` understands. */
export interface TranscribeOptions extends VadFlags {
  transcribe: string;
  /** One ISO-639-1 code, or several separated by commas. */
  language?: string;
  transcribePrompt?: string;
  noiseReduction?: NoiseReductionFlag;
  input?: string;
  outputText?: string;
  json: boolean;
  url?: string;
  local: boolean;
  connectTimeout: number;
  /** A PEM certificate to trust for wss: (besides the usual roots and kaiwa serve's own). */
  ca?: string;
  debug: boolean;
}

/** Declares the transcription flags; the help text is the user's reference. */
export function addTranscribeOptions(command: Command): Command {
  command
    .addOption(new Option('--transcribe <model>', own`transcription model (gpt-live-transcribe, gpt-4o-mini-transcribe, gpt-4o-transcribe, whisper-1, …)`).default(DEFAULT_TRANSCRIBE_MODEL).argParser(nonEmpty))
    .addOption(new Option('--language <codes>', own`language of the speech (ja, en, …; several: ja,en): better accuracy and latency`).argParser(languageList))
    .addOption(new Option('--transcribe-prompt <text>', 'words or style to guide the transcription').argParser(nonEmpty))
    .addOption(new Option('--noise-reduction <kind>', 'filter the microphone before the server listens: near_field (headset), far_field (laptop, room) or off').choices(['near_field', 'far_field', 'off']));
  return addVadOptions(command)
    .addOption(new Option('--input <file.wav>', 'transcribe a WAV file (streamed in real time) instead of the microphone (- : a WAV piped in on standard input)').argParser(nonEmpty))
    .addOption(new Option('--output-text <file>', 'append each final line to this file as it comes').argParser(nonEmpty))
    .addOption(new Option('--json', 'print every server event as one JSON line instead of captions').default(false))
    .addOption(new Option('--url <url>', 'Realtime endpoint or base URL (ws, wss, http, https); /realtime is appended unless present').argParser(nonEmpty))
    .addOption(new Option('--ca <file>', 'trust this PEM certificate for wss: (kaiwa serve --tls\'s own is trusted already)').argParser(nonEmpty))
    .addOption(new Option('--local', "use kaiwa's built-in offline server even when an API key is set").default(false).conflicts('url'))
    .addOption(new Option('--connect-timeout <ms>', 'give up connecting (and waiting for the session to begin) after this long').argParser(numberIn(100, 120000, true)).default(15000))
    .addOption(new Option('--debug', 'log protocol details to stderr').default(false));
}
