import { describeFileError } from '../file-errors.js';
import { readFileSync } from 'node:fs';
import type { AudioTranscription } from 'openai/resources/realtime/realtime';
import type { SessionConfig, TurnDetection } from '../protocol/events.js';
import { toGaFormat } from '../protocol/audio-format.js';
import type { ChatOptions } from './chat-options.js';
import { UsageError } from '../errors.js';
import { isCustomVoiceId } from '../protocol/voices.js';
import { promptVariables } from './session-values.js';
import { turnDetectionFrom } from './vad-flags.js';

const DEFAULT_TRANSCRIBE_GA = 'gpt-4o-mini-transcribe';
const DEFAULT_TRANSCRIBE_BETA = 'whisper-1';

export function readInstructions(options: ChatOptions): string | undefined {
  if (options.instructions !== undefined) return options.instructions;
  if (options.instructionsFile === undefined) return undefined;
  try {
    return readFileSync(options.instructionsFile, 'utf8').trim();
  } catch (error) {
    throw new UsageError(`cannot read --instructions-file ${options.instructionsFile}: ${describeFileError(error)}`);
  }
}

function turnDetection(options: ChatOptions): TurnDetection | null {
  const detection = turnDetectionFrom(options);
  if (detection?.type !== 'server_vad' || options.idleTimeoutMs === undefined) return detection;
  return { ...detection, idle_timeout_ms: options.idleTimeoutMs };
}

/** `--language ja` sets `language`; several codes (`ja,en`) set `languages`. */
function languages(options: ChatOptions): Pick<AudioTranscription, 'language' | 'languages'> {
  const codes = options.language?.split(',') ?? [];
  if (codes.length === 0) return {};
  return codes.length === 1 ? { language: codes[0]! } : { languages: codes };
}

function transcription(options: ChatOptions): AudioTranscription | undefined {
  if (options.transcribe === 'none') return undefined;
  const model = options.transcribe ?? (options.protocol === 'beta' ? DEFAULT_TRANSCRIBE_BETA : DEFAULT_TRANSCRIBE_GA);
  return { model, ...languages(options), ...(options.transcribePrompt !== undefined ? { prompt: options.transcribePrompt } : {}) };
}

/** `off` is `null`, which the service documents as switching noise reduction off (the SDK's type omits it). */
function noiseReduction(options: ChatOptions): { noise_reduction?: { type: 'near_field' | 'far_field' } } {
  if (options.noiseReduction === undefined) return {};
  const value = options.noiseReduction === 'off' ? null : { type: options.noiseReduction };
  return { noise_reduction: value as { type: 'near_field' | 'far_field' } };
}

/** Says in one line that a setting is not sent because the beta dialect has no field for it. */
export type BetaNotice = (line: string) => void;

function notInBeta(flag: string): string {
  return `${flag} has no equivalent in the beta protocol (realtime=v1); not sent`;
}

/** Settings with a GA field only: on beta each is left out, with one line saying so. */
function gaOnly<T extends object>(options: ChatOptions, notice: BetaNotice, flag: string, given: boolean, fields: () => T): T | object {
  if (!given) return {};
  if (options.protocol !== 'beta') return fields();
  notice(notInBeta(flag));
  return {};
}

function voice(options: ChatOptions, notice: BetaNotice): { voice?: string | { id: string } } {
  if (!options.voice) return {};
  if (!isCustomVoiceId(options.voice)) return { voice: options.voice };
  return gaOnly(options, notice, '--voice with a custom voice id', true, () => ({ voice: { id: options.voice! } }));
}

function storedPrompt(options: ChatOptions): Pick<SessionConfig, 'prompt'> {
  if (options.promptId === undefined) return {};
  const variables = promptVariables(options.promptVar);
  return {
    prompt: {
      id: options.promptId,
      ...(options.promptVersion !== undefined ? { version: options.promptVersion } : {}),
      ...(Object.keys(variables).length ? { variables } : {}),
    },
  };
}

/**
 * The session.update kaiwa sends: only what the user chose plus transcription (on by
 * default so both sides of the conversation can be shown). Server defaults are left to
 * the server, so the same flags give the same session as the article's hand-written one.
 */
export function buildSessionConfig(options: ChatOptions, instructions: string | undefined, notice: BetaNotice = () => undefined): SessionConfig {
  const input = {
    ...(options.audioFormat !== 'pcm16' ? { format: toGaFormat(options.audioFormat) } : {}),
    ...(transcription(options) ? { transcription: transcription(options)! } : {}),
    ...noiseReduction(options),
    turn_detection: turnDetection(options),
  };
  const output = {
    ...(options.audioFormat !== 'pcm16' ? { format: toGaFormat(options.audioFormat) } : {}),
    ...voice(options, notice),
    ...(options.speed !== undefined ? { speed: options.speed } : {}),
  };
  return {
    type: 'realtime',
    model: options.model,
    ...(instructions !== undefined ? { instructions } : {}),
    ...storedPrompt(options),
    ...(options.modalities ? { output_modalities: [options.modalities] } : {}),
    ...(options.maxOutputTokens !== undefined ? { max_output_tokens: options.maxOutputTokens } : {}),
    ...gaOnly(options, notice, '--truncation', options.truncation !== undefined, () => ({ truncation: options.truncation })),
    ...gaOnly(options, notice, '--reasoning-effort', options.reasoningEffort !== undefined, () => ({ reasoning: { effort: options.reasoningEffort } })),
    audio: { input, ...(Object.keys(output).length ? { output } : {}) },
  };
}
