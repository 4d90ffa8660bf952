import { readFileSync } from 'node:fs';
import type { SessionConfig, TurnDetection } from '../protocol/events.js';
import { toGaFormat } from '../protocol/audio-format.js';
import type { ChatOptions } from './chat-options.js';
import { UsageError } from '../errors.js';
import { reasoningSupport } from '../protocol/realtime-models.js';

const DEFAULT_TRANSCRIBE_GA = 'gpt-4o-mini-transcribe';
const DEFAULT_TRANSCRIBE_BETA = 'whisper-1';

export function readInstructions(options: ChatOptions): string | undefined {
  if (options.instructions !== undefined) return options.instructions;
  if (options.instructionsFile === undefined) return undefined;
  try {
    return readFileSync(options.instructionsFile, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`cannot read --instructions-file ${options.instructionsFile}: ${code}`);
  }
}

function turnDetection(options: ChatOptions): TurnDetection | null {
  if (options.vad === 'none') return null;
  if (options.vad === 'semantic') {
    return { type: 'semantic_vad', ...(options.eagerness ? { eagerness: options.eagerness } : {}) };
  }
  return {
    type: 'server_vad',
    ...(options.vadThreshold !== undefined ? { threshold: options.vadThreshold } : {}),
    ...(options.prefixMs !== undefined ? { prefix_padding_ms: options.prefixMs } : {}),
    ...(options.silenceMs !== undefined ? { silence_duration_ms: options.silenceMs } : {}),
  };
}

function transcription(options: ChatOptions): { model: string; language?: string } | undefined {
  if (options.transcribe === 'none') return undefined;
  const model = options.transcribe ?? (options.protocol === 'beta' ? DEFAULT_TRANSCRIBE_BETA : DEFAULT_TRANSCRIBE_GA);
  return { model, ...(options.language ? { language: options.language } : {}) };
}

/** Flags that are well-formed one by one but wrong together; checked before connecting. */
export function checkSessionFlags(options: ChatOptions): void {
  if (options.reasoningEffort !== undefined && reasoningSupport(options.model) === 'no') {
    throw new UsageError(`--reasoning-effort: ${options.model} is not a reasoning model (gpt-realtime-2 and -2.1 are); drop the flag or pick one of those`);
  }
}

/** Says in one line that a setting is not sent because the beta dialect has no field for it. */
export type BetaNotice = (line: string) => void;

function notInBeta(flag: string): string {
  return `${flag} has no equivalent in the beta protocol (realtime=v1); not sent`;
}

function reasoning(options: ChatOptions, notice: BetaNotice): Pick<SessionConfig, 'reasoning'> {
  if (options.reasoningEffort === undefined) return {};
  if (options.protocol === 'beta') {
    notice(notInBeta('--reasoning-effort'));
    return {};
  }
  return { reasoning: { effort: options.reasoningEffort } };
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
    turn_detection: turnDetection(options),
  };
  const output = {
    ...(options.audioFormat !== 'pcm16' ? { format: toGaFormat(options.audioFormat) } : {}),
    ...(options.voice ? { voice: options.voice } : {}),
  };
  return {
    type: 'realtime',
    model: options.model,
    ...(instructions !== undefined ? { instructions } : {}),
    ...(options.modalities ? { output_modalities: [options.modalities] } : {}),
    ...(options.maxOutputTokens !== undefined ? { max_output_tokens: options.maxOutputTokens } : {}),
    ...reasoning(options, notice),
    audio: { input, ...(Object.keys(output).length ? { output } : {}) },
  };
}
