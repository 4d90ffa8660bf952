/**
 * What one response will do: the session's settings overlaid with `response.create`'s
 * per-response parameters, and the items it reads. Validated up front so a bad create
 * is an `error` event and never a half-started response.
 */
import type { WireAudioFormat } from '../protocol/events.js';
import { fromGaFormat, type AudioFormatName } from '../protocol/audio-format.js';
import { ProtocolFailure } from './protocol-failure.js';
import { array, boolean, onlyKnownKeys, record, string, type Json } from './json-check.js';
import { parsePrompt, parseReasoning, parseTemperature } from './model-settings.js';
import {
  MAX_INSTRUCTIONS_CHARS, inputFormatName, outputFormatName, parseFormat, parseMaxOutputTokens, parseModalities, parseToolChoice,
  parseTools, parseVoice, localVoice, type SessionState, type ToolChoice, type ToolDefinition, type Voice,
} from './session-state.js';
import type { StoredItem } from './conversation-store.js';
import { isItemReference, parseClientItem, referencedItem } from './conversation-items.js';
import { newId } from './ids.js';

export interface ResponsePlan {
  id: string;
  /** 'none' = out of band: the output is not added to the conversation. */
  conversation: 'auto' | 'none';
  instructions: string;
  modality: 'audio' | 'text';
  tools: ToolDefinition[];
  toolChoice: ToolChoice;
  maxOutputTokens: number | 'inf';
  metadata: Record<string, string> | null;
  /** As the client named it (echoed in the response). */
  voice: Voice;
  /** The local voice that speaks it. */
  localVoice: string;
  speed: number;
  outputFormat: WireAudioFormat;
  outputFormatName: AudioFormatName;
  /** The items the engine reads, in order. */
  context: StoredItem[];
}

const RESPONSE_KEYS = [
  'instructions', 'output_modalities', 'tools', 'tool_choice', 'max_output_tokens', 'conversation', 'input',
  'metadata', 'audio', 'prompt', 'parallel_tool_calls', 'reasoning', 'temperature',
];

export interface PlanSources {
  session: SessionState;
  /** The conversation as it is now (the default context). */
  conversationItems: () => StoredItem[];
  lookup: (id: string) => StoredItem | undefined;
}

export function planResponse(params: unknown, sources: PlanSources): ResponsePlan {
  const { session } = sources;
  const overrides = params === undefined ? {} : record(params, 'response');
  onlyKnownKeys(overrides, 'response', RESPONSE_KEYS);
  const conversation = parseConversation(overrides.conversation);
  checkModelSettings(overrides);
  const output = parseAudioOutput(overrides.audio);
  const format = output.format ?? session.audio.output.format;
  return {
    id: newId('resp'),
    conversation,
    instructions: overrides.instructions === undefined ? session.instructions
      : string(overrides.instructions, 'response.instructions', MAX_INSTRUCTIONS_CHARS),
    modality: (overrides.output_modalities === undefined ? session.output_modalities
      : parseModalities(overrides.output_modalities, 'response.output_modalities'))[0] ?? 'audio',
    tools: overrides.tools === undefined ? session.tools : parseTools(overrides.tools, 'response.tools'),
    toolChoice: overrides.tool_choice === undefined ? session.tool_choice : parseToolChoice(overrides.tool_choice, 'response.tool_choice'),
    maxOutputTokens: overrides.max_output_tokens === undefined ? session.max_output_tokens
      : parseMaxOutputTokens(overrides.max_output_tokens, 'response.max_output_tokens'),
    metadata: parseMetadata(overrides.metadata),
    voice: output.voice ?? session.audio.output.voice,
    localVoice: localVoice(output.voice ?? session.audio.output.voice),
    speed: session.audio.output.speed,
    outputFormat: format,
    outputFormatName: fromGaFormat(format) ?? outputFormatName(session),
    context: overrides.input === undefined ? sources.conversationItems() : parseInput(overrides.input, sources),
  };
}

/** Checked as session.update checks them, not kept: no model here samples, reasons or runs tools side by side. */
function checkModelSettings(overrides: Json): void {
  if (overrides.temperature !== undefined) parseTemperature(overrides.temperature, 'response.temperature');
  if (overrides.parallel_tool_calls !== undefined) boolean(overrides.parallel_tool_calls, 'response.parallel_tool_calls');
  if (overrides.reasoning !== undefined) parseReasoning(overrides.reasoning, 'response.reasoning');
  if (overrides.prompt !== undefined) parsePrompt(overrides.prompt, 'response.prompt');
}

function parseConversation(value: unknown): 'auto' | 'none' {
  if (value === undefined) return 'auto';
  const name = string(value, 'response.conversation', 64);
  if (name === 'auto' || name === 'none') return name;
  throw new ProtocolFailure(
    `Invalid value: '${name.slice(0, 64)}'. kaiwa serve has one conversation per session: use 'auto' or 'none'.`,
    'invalid_value', 'response.conversation',
  );
}

function parseAudioOutput(value: unknown): { voice?: Voice; format?: WireAudioFormat } {
  if (value === undefined) return {};
  const audio = record(value, 'response.audio');
  onlyKnownKeys(audio, 'response.audio', ['output']);
  if (audio.output === undefined) return {};
  const output = record(audio.output, 'response.audio.output');
  onlyKnownKeys(output, 'response.audio.output', ['voice', 'format']);
  const result: { voice?: Voice; format?: WireAudioFormat } = {};
  if (output.voice !== undefined) result.voice = parseVoice(output.voice, 'response.audio.output.voice');
  if (output.format !== undefined) result.format = parseFormat(output.format, 'response.audio.output.format');
  return result;
}

/** Metadata like the service's: at most 16 string pairs, keys ≤ 64 and values ≤ 512 characters. */
function parseMetadata(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  const metadata = record(value, 'response.metadata');
  const entries = Object.entries(metadata);
  if (entries.length > 16) {
    throw new ProtocolFailure('Invalid \'response.metadata\': at most 16 keys are allowed.', 'object_above_max_properties', 'response.metadata');
  }
  for (const [key, entry] of entries) {
    if (key.length > 64) throw new ProtocolFailure(`Invalid 'response.metadata': key longer than 64 characters.`, 'invalid_value', 'response.metadata').saying('with a key over 64 characters');
    string(entry, `response.metadata.${key}`, 512);
  }
  return metadata as Record<string, string>;
}

/** `response.input` replaces the conversation as this response's context. */
function parseInput(value: unknown, sources: PlanSources): StoredItem[] {
  const formats = { input: inputFormatName(sources.session), output: outputFormatName(sources.session) };
  return array(value, 'response.input', 1024).map((entry, index) => {
    const param = `response.input[${index}]`;
    if (isItemReference(entry)) return referencedItem(entry as Json, param, sources.lookup);
    return parseClientItem(entry, param, formats);
  });
}
