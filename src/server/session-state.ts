/**
 * The session object a client configures with `session.update`: defaults as the service
 * announces them in `session.created`, and a validating merge that either yields a whole
 * new configuration or throws a ProtocolFailure, so a bad update never half-applies.
 */
import type { SessionConfig, WireAudioFormat } from '../protocol/events.js';
import { fromGaFormat, type AudioFormatName } from '../protocol/audio-format.js';
import { ProtocolFailure, invalidValue, missingParameter } from './protocol-failure.js';
import {
  array, boolean, integerIn, isRecord, number, numberIn, oneOf, onlyKnownKeys, optionalString, record, string, type Json,
} from './json-check.js';
import { parsePrompt, parseReasoning, parseTemperature, parseTruncation } from './model-settings.js';
import { newId } from './ids.js';
import { ECHOED_SESSION_FIELDS, checkEchoedFields } from './echoed-session-fields.js';

export type Eagerness = 'low' | 'medium' | 'high' | 'auto';

export type TurnDetectionConfig =
  | {
    type: 'server_vad'; threshold: number; prefix_padding_ms: number; silence_duration_ms: number;
    idle_timeout_ms: number | null; create_response: boolean; interrupt_response: boolean;
  }
  | { type: 'semantic_vad'; eagerness: Eagerness; create_response: boolean; interrupt_response: boolean };

export interface ToolDefinition {
  type: 'function';
  name: string;
  description?: string;
  parameters?: unknown;
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

export interface TranscriptionConfig {
  model: string;
  language?: string;
  prompt?: string;
}

export interface SessionState {
  type: 'realtime';
  object: 'realtime.session';
  id: string;
  /** Unix seconds; the service's sessions end after 60 minutes. */
  expires_at: number;
  model: string;
  output_modalities: Array<'audio' | 'text'>;
  instructions: string;
  tools: ToolDefinition[];
  tool_choice: ToolChoice;
  max_output_tokens: number | 'inf';
  tracing: unknown;
  truncation: unknown;
  prompt: unknown;
  include: string[] | null;
  audio: {
    input: {
      format: WireAudioFormat;
      transcription: TranscriptionConfig | null;
      noise_reduction: { type: 'near_field' | 'far_field' } | null;
      turn_detection: TurnDetectionConfig | null;
    };
    output: { format: WireAudioFormat; voice: Voice; speed: number };
  };
}

/** A named voice, or a custom voice the account created (`{id: "voice_…"}`). */
export type Voice = string | { id: string };

export const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;
const FORMAT_TYPES = ['audio/pcm', 'audio/pcmu', 'audio/pcma'] as const;
const TRANSCRIPTION_DELAYS = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;
const MAX_TOOLS = 128;
export const MAX_INSTRUCTIONS_CHARS = 1_000_000;

export const DEFAULT_INSTRUCTIONS = 'You are a helpful, friendly voice assistant. Keep your answers short and natural to speak aloud.';

export function defaultServerVad(): TurnDetectionConfig {
  return {
    type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 500,
    idle_timeout_ms: null, create_response: true, interrupt_response: true,
  };
}

export function defaultSession(model: string, lifetimeSeconds: number): SessionState {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: newId('sess'),
    expires_at: Math.floor(Date.now() / 1000) + lifetimeSeconds,
    model,
    output_modalities: ['audio'],
    instructions: DEFAULT_INSTRUCTIONS,
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    include: null,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        noise_reduction: null,
        turn_detection: defaultServerVad(),
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin', speed: 1 },
    },
  };
}

/** The session as it goes on the wire. The service sends nulls the SDK's request type does not declare. */
export function sessionForWire(state: SessionState): SessionConfig {
  return structuredClone(state) as unknown as SessionConfig;
}

export function inputFormatName(state: SessionState): AudioFormatName {
  return fromGaFormat(state.audio.input.format) ?? 'pcm16';
}

export function outputFormatName(state: SessionState): AudioFormatName {
  return fromGaFormat(state.audio.output.format) ?? 'pcm16';
}

const SESSION_KEYS = [
  'type', 'model', 'instructions', 'output_modalities', 'audio', 'tools', 'tool_choice', 'max_output_tokens',
  'tracing', 'truncation', 'prompt', 'include', 'parallel_tool_calls', 'reasoning',
  // Beta clients still send a sampling temperature; there is nothing to sample with here.
  'temperature',
  // Read-only fields of the session object: a client echoing session.created back is not an error.
  ...ECHOED_SESSION_FIELDS,
] as const;

export interface UpdateContext {
  /** The service refuses a voice change once the assistant has spoken in the conversation. */
  assistantHasSpoken: boolean;
}

/** Returns the merged configuration, or throws a ProtocolFailure and leaves `current` alone. */
export function applySessionUpdate(current: SessionState, update: unknown, context: UpdateContext): SessionState {
  const patch = record(update, 'session');
  onlyKnownKeys(patch, 'session', SESSION_KEYS);
  if (patch.type === undefined) throw missingParameter('session.type');
  if (patch.type !== 'realtime') {
    throw new ProtocolFailure(
      "Invalid value: 'session.type'. Supported values are: 'realtime', 'transcription'.",
      'invalid_value', 'session.type',
    );
  }
  checkEchoedFields(patch, 'realtime');
  const next = structuredClone(current);
  if (patch.model !== undefined) next.model = string(patch.model, 'session.model', 256);
  if (patch.instructions !== undefined) next.instructions = string(patch.instructions, 'session.instructions', MAX_INSTRUCTIONS_CHARS);
  if (patch.output_modalities !== undefined) next.output_modalities = parseModalities(patch.output_modalities, 'session.output_modalities');
  if (patch.tools !== undefined) next.tools = parseTools(patch.tools, 'session.tools');
  if (patch.tool_choice !== undefined) next.tool_choice = parseToolChoice(patch.tool_choice, 'session.tool_choice');
  if (patch.max_output_tokens !== undefined) next.max_output_tokens = parseMaxOutputTokens(patch.max_output_tokens, 'session.max_output_tokens');
  if (patch.tracing !== undefined) next.tracing = parseTracing(patch.tracing);
  if (patch.truncation !== undefined) next.truncation = parseTruncation(patch.truncation, 'session.truncation');
  if (patch.prompt !== undefined) next.prompt = parsePrompt(patch.prompt, 'session.prompt');
  if (patch.include !== undefined) next.include = parseInclude(patch.include);
  // Checked, not kept: nothing here samples, reasons or runs tools side by side (the session echoes a beta temperature).
  if (patch.temperature !== undefined) parseTemperature(patch.temperature, 'session.temperature');
  if (patch.parallel_tool_calls !== undefined) boolean(patch.parallel_tool_calls, 'session.parallel_tool_calls');
  if (patch.reasoning !== undefined) parseReasoning(patch.reasoning, 'session.reasoning');
  if (patch.audio !== undefined) applyAudio(next, record(patch.audio, 'session.audio'), context);
  return next;
}

function applyAudio(next: SessionState, audio: Json, context: UpdateContext): void {
  onlyKnownKeys(audio, 'session.audio', ['input', 'output']);
  if (audio.input !== undefined) {
    const input = record(audio.input, 'session.audio.input');
    onlyKnownKeys(input, 'session.audio.input', ['format', 'transcription', 'noise_reduction', 'turn_detection']);
    const target = next.audio.input;
    if (input.format !== undefined) target.format = parseFormat(input.format, 'session.audio.input.format');
    if (input.transcription !== undefined) target.transcription = parseTranscription(input.transcription);
    if (input.noise_reduction !== undefined) target.noise_reduction = parseNoiseReduction(input.noise_reduction);
    if (input.turn_detection !== undefined) target.turn_detection = parseTurnDetection(input.turn_detection);
  }
  if (audio.output !== undefined) {
    const output = record(audio.output, 'session.audio.output');
    onlyKnownKeys(output, 'session.audio.output', ['format', 'voice', 'speed']);
    const target = next.audio.output;
    if (output.format !== undefined) target.format = parseFormat(output.format, 'session.audio.output.format');
    if (output.speed !== undefined) target.speed = numberIn(output.speed, 'session.audio.output.speed', 0.25, 1.5);
    if (output.voice !== undefined) {
      const voice = parseVoice(output.voice, 'session.audio.output.voice');
      if (JSON.stringify(voice) !== JSON.stringify(target.voice) && context.assistantHasSpoken) {
        throw new ProtocolFailure(
          'Cannot update a conversation\'s voice if assistant audio is present.', 'cannot_update_voice',
          'session.audio.output.voice',
        );
      }
      target.voice = voice;
    }
  }
}

export function parseVoice(value: unknown, param: string): Voice {
  if (isRecord(value)) {
    onlyKnownKeys(value, param, ['id']);
    return { id: string(value.id, `${param}.id`, 128) };
  }
  return oneOf(value, param, VOICES);
}

/**
 * The local voice that speaks for a voice: a named one as itself, a custom voice `{id}`
 * as one of the named ones, always the same for the same id.
 */
export function localVoice(voice: Voice): string {
  if (typeof voice === 'string') return voice;
  let hash = 0;
  for (const char of voice.id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return VOICES[hash % VOICES.length]!;
}

export function parseFormat(value: unknown, param: string): WireAudioFormat {
  const format = record(value, param);
  onlyKnownKeys(format, param, ['type', 'rate']);
  const type = oneOf(format.type, `${param}.type`, FORMAT_TYPES);
  if (type !== 'audio/pcm') {
    if (format.rate !== undefined) throw invalidValue(`${param}.rate`, format.rate);
    return { type };
  }
  if (format.rate !== undefined && format.rate !== 24000) {
    throw new ProtocolFailure(`Invalid '${param}.rate': only 24000 is supported for audio/pcm.`, 'invalid_value', `${param}.rate`);
  }
  return { type, rate: 24000 };
}

export function parseModalities(value: unknown, param: string): Array<'audio' | 'text'> {
  const list = array(value, param, 2);
  if (list.length === 0) throw invalidValue(param, value, ['text', 'audio']);
  const modalities = list.map((entry, index) => oneOf(entry, `${param}[${index}]`, ['text', 'audio'] as const));
  // GA answers in one modality; audio always comes with its transcript, so audio wins.
  return modalities.includes('audio') ? ['audio'] : ['text'];
}

export function parseTools(value: unknown, param: string): ToolDefinition[] {
  const list = array(value, param, MAX_TOOLS);
  const tools = list.map((entry, index) => parseTool(entry, `${param}[${index}]`));
  const names = new Set<string>();
  tools.forEach((tool, index) => {
    if (names.has(tool.name)) {
      throw new ProtocolFailure(`Duplicate tool name '${tool.name}'.`, 'duplicate_tool_name', `${param}[${index}].name`);
    }
    names.add(tool.name);
  });
  return tools;
}

function parseTool(value: unknown, param: string): ToolDefinition {
  const tool = record(value, param);
  if (tool.type === 'mcp') {
    throw new ProtocolFailure('MCP tools are not supported by kaiwa serve; declare function tools instead.', 'unsupported_tool_type', `${param}.type`);
  }
  onlyKnownKeys(tool, param, ['type', 'name', 'description', 'parameters', 'strict']);
  if (tool.type !== undefined) oneOf(tool.type, `${param}.type`, ['function'] as const);
  const name = string(tool.name, `${param}.name`, 64);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    throw new ProtocolFailure(
      `Invalid '${param}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
      'invalid_value', `${param}.name`,
    ).saying('not a valid tool name');
  }
  const definition: ToolDefinition = { type: 'function', name };
  const description = optionalString(tool.description, `${param}.description`, 16_384);
  if (description !== undefined) definition.description = description;
  if (tool.parameters !== undefined) definition.parameters = record(tool.parameters, `${param}.parameters`);
  // Checked, not kept: the realtime types leave `strict` out, the Responses API types it boolean | null, and no model here follows a schema.
  if (tool.strict !== undefined && tool.strict !== null) boolean(tool.strict, `${param}.strict`);
  return definition;
}

export function parseToolChoice(value: unknown, param: string): ToolChoice {
  if (typeof value === 'string') return oneOf(value, param, ['auto', 'none', 'required'] as const);
  const choice = record(value, param);
  const type = oneOf(choice.type, `${param}.type`, ['function', 'mcp'] as const);
  if (type === 'mcp') throw new ProtocolFailure('MCP tool choice is not supported by kaiwa serve.', 'invalid_value', `${param}.type`);
  onlyKnownKeys(choice, param, ['type', 'name']);
  return { type: 'function', name: string(choice.name, `${param}.name`, 64) };
}

export function parseMaxOutputTokens(value: unknown, param: string): number | 'inf' {
  if (value === 'inf') return 'inf';
  return integerIn(value, param, 1, 4096);
}

function parseTracing(value: unknown): unknown {
  if (value === null || value === 'auto') return value;
  const tracing = record(value, 'session.tracing');
  onlyKnownKeys(tracing, 'session.tracing', ['workflow_name', 'group_id', 'metadata']);
  optionalString(tracing.workflow_name, 'session.tracing.workflow_name');
  optionalString(tracing.group_id, 'session.tracing.group_id');
  return tracing;
}

function parseInclude(value: unknown): string[] | null {
  if (value === null) return null;
  return array(value, 'session.include', 4).map((entry, index) =>
    oneOf(entry, `session.include[${index}]`, ['item.input_audio_transcription.logprobs'] as const));
}

function parseTranscription(value: unknown): TranscriptionConfig | null {
  if (value === null) return null;
  const param = 'session.audio.input.transcription';
  const input = record(value, param);
  onlyKnownKeys(input, param, ['model', 'language', 'prompt', 'languages', 'keywords', 'delay']);
  const config: TranscriptionConfig = { model: optionalString(input.model, `${param}.model`, 128) ?? 'whisper-1' };
  const language = optionalString(input.language, `${param}.language`, 16);
  if (language !== undefined) config.language = language;
  const prompt = optionalString(input.prompt, `${param}.prompt`, 16_384);
  if (prompt !== undefined) config.prompt = prompt;
  // Checked, not used: the local recognizer is English only and has no keyword list or latency setting.
  for (const list of ['languages', 'keywords'] as const) {
    if (input[list] === undefined) continue;
    array(input[list], `${param}.${list}`).forEach((entry, index) => string(entry, `${param}.${list}[${index}]`));
  }
  if (input.delay !== undefined) oneOf(input.delay, `${param}.delay`, TRANSCRIPTION_DELAYS);
  return config;
}

function parseNoiseReduction(value: unknown): SessionState['audio']['input']['noise_reduction'] {
  if (value === null) return null;
  const param = 'session.audio.input.noise_reduction';
  const input = record(value, param);
  onlyKnownKeys(input, param, ['type', 'strength']);
  const type = oneOf(input.type, `${param}.type`, ['near_field', 'far_field'] as const);
  if (input.strength !== undefined) number(input.strength, `${param}.strength`);
  return { type };
}

function parseTurnDetection(value: unknown): TurnDetectionConfig | null {
  if (value === null) return null;
  const param = 'session.audio.input.turn_detection';
  const input = record(value, param);
  const type = oneOf(input.type, `${param}.type`, ['server_vad', 'semantic_vad'] as const);
  const createResponse = input.create_response === undefined ? true : boolean(input.create_response, `${param}.create_response`);
  const interruptResponse = input.interrupt_response === undefined ? true : boolean(input.interrupt_response, `${param}.interrupt_response`);
  if (type === 'semantic_vad') {
    onlyKnownKeys(input, param, ['type', 'eagerness', 'create_response', 'interrupt_response']);
    const eagerness = input.eagerness === undefined ? 'auto' : oneOf(input.eagerness, `${param}.eagerness`, ['low', 'medium', 'high', 'auto'] as const);
    return { type, eagerness, create_response: createResponse, interrupt_response: interruptResponse };
  }
  onlyKnownKeys(input, param, [
    'type', 'threshold', 'prefix_padding_ms', 'silence_duration_ms', 'idle_timeout_ms', 'create_response', 'interrupt_response',
  ]);
  const defaults = defaultServerVad() as Extract<TurnDetectionConfig, { type: 'server_vad' }>;
  return {
    type,
    threshold: input.threshold === undefined ? defaults.threshold : numberIn(input.threshold, `${param}.threshold`, 0, 1),
    prefix_padding_ms: input.prefix_padding_ms === undefined ? defaults.prefix_padding_ms
      : integerIn(input.prefix_padding_ms, `${param}.prefix_padding_ms`, 0, 10_000),
    silence_duration_ms: input.silence_duration_ms === undefined ? defaults.silence_duration_ms
      : integerIn(input.silence_duration_ms, `${param}.silence_duration_ms`, 0, 10_000),
    idle_timeout_ms: input.idle_timeout_ms === undefined || input.idle_timeout_ms === null ? null
      : integerIn(input.idle_timeout_ms, `${param}.idle_timeout_ms`, 5_000, 30_000),
    create_response: createResponse,
    interrupt_response: interruptResponse,
  };
}

