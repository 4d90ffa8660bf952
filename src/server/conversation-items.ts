/**
 * Conversation items: validating the ones clients create, and building the ones the
 * server creates (committed user audio, assistant messages, function calls).
 */
import type { Item } from '../protocol/events.js';
import type { RealtimeConversationItemAssistantMessage } from 'openai/resources/realtime/realtime';
import type { AudioFormatName } from '../protocol/audio-format.js';
import { ProtocolFailure, invalidValue } from './protocol-failure.js';
import { array, isRecord, oneOf, onlyKnownKeys, optionalString, record, string, type Json } from './json-check.js';
import { newId } from './ids.js';
import type { AudioContent, StoredItem } from './conversation-store.js';
import { decodeWireAudio, pcmDurationMs, pcmRateOf } from './wire-audio.js';

type UserPart = { type: 'input_text'; text: string }
  | { type: 'input_audio'; transcript?: string }
  | { type: 'input_image'; image_url?: string; detail?: 'auto' | 'low' | 'high' };
type AssistantPart = { type: 'output_text'; text: string } | { type: 'output_audio'; transcript: string };

export interface Formats {
  input: AudioFormatName;
  output: AudioFormatName;
}

const MAX_TEXT = 1_000_000;
/** Every item has these; the others belong to one item type each, as the `openai` package types them. */
const COMMON_KEYS = ['id', 'type', 'object', 'status'];
const KEYS_OF_TYPE = {
  message: [...COMMON_KEYS, 'role', 'content'],
  function_call: [...COMMON_KEYS, 'call_id', 'name', 'arguments'],
  function_call_output: [...COMMON_KEYS, 'call_id', 'output'],
} as const;
const ITEM_TYPES = Object.keys(KEYS_OF_TYPE) as Array<keyof typeof KEYS_OF_TYPE>;
const ITEM_KEYS = [...new Set(Object.values(KEYS_OF_TYPE).flat())];
const ITEM_STATUSES = ['completed', 'incomplete', 'in_progress'] as const;
const IMAGE_DETAILS = ['auto', 'low', 'high'] as const;

/** Validates `conversation.item.create`'s item (already GA-shaped by the dialect). */
export function parseClientItem(value: unknown, param: string, formats: Formats): StoredItem {
  const input = record(value, param);
  // A field no item has is refused before the type is known; one of another type's (a message's `output`) once it is.
  onlyKnownKeys(input, param, ITEM_KEYS);
  const id = optionalString(input.id, `${param}.id`, 64) ?? newId('item');
  const type = oneOf(input.type, `${param}.type`, ITEM_TYPES);
  onlyKnownKeys(input, param, KEYS_OF_TYPE[type]);
  // As conversation.item.done shows them, for apps that replay the items they were sent; checked, not kept (a created item is complete).
  if (input.object !== undefined) oneOf(input.object, `${param}.object`, ['realtime.item'] as const);
  if (input.status !== undefined) oneOf(input.status, `${param}.status`, ITEM_STATUSES);
  switch (type) {
    case 'message': return parseMessage(input, id, param, formats);
    case 'function_call': return stored({
      id, type, object: 'realtime.item', status: 'completed',
      name: string(input.name, `${param}.name`, 64),
      arguments: string(input.arguments ?? '', `${param}.arguments`, MAX_TEXT),
      call_id: optionalString(input.call_id, `${param}.call_id`, 64) ?? newId('call'),
    });
    case 'function_call_output': return stored({
      id, type, object: 'realtime.item', status: 'completed',
      call_id: string(input.call_id, `${param}.call_id`, 64),
      output: string(input.output, `${param}.output`, MAX_TEXT),
    });
  }
}

function parseMessage(input: Json, id: string, param: string, formats: Formats): StoredItem {
  const role = oneOf(input.role, `${param}.role`, ['user', 'assistant', 'system'] as const);
  const parts = array(input.content, `${param}.content`, 64);
  const audio = new Map<number, AudioContent>();
  const base = { id, type: 'message' as const, object: 'realtime.item' as const, status: 'completed' as const };
  if (role === 'system') {
    const content = parts.map((part, index) => {
      const checked = record(part, `${param}.content[${index}]`);
      oneOf(checked.type, `${param}.content[${index}].type`, ['input_text'] as const);
      return { type: 'input_text' as const, text: string(checked.text, `${param}.content[${index}].text`, MAX_TEXT) };
    });
    return { item: { ...base, role, content }, audio };
  }
  if (role === 'user') {
    const content = parts.map((part, index) => parseUserPart(part, `${param}.content[${index}]`, index, formats.input, audio));
    return { item: { ...base, role, content }, audio };
  }
  const content = parts.map((part, index) => parseAssistantPart(part, `${param}.content[${index}]`, index, formats.output, audio));
  return { item: { ...base, role, content }, audio };
}

function parseUserPart(value: unknown, param: string, index: number, format: AudioFormatName, audio: Map<number, AudioContent>): UserPart {
  const part = record(value, param);
  const type = oneOf(part.type, `${param}.type`, ['input_text', 'input_audio', 'input_image'] as const);
  if (type === 'input_text') return { type, text: string(part.text, `${param}.text`, MAX_TEXT) };
  if (type === 'input_image') {
    const image: UserPart = { type };
    const url = optionalString(part.image_url, `${param}.image_url`, 20_000_000);
    if (url !== undefined) image.image_url = url;
    if (part.detail !== undefined) image.detail = oneOf(part.detail, `${param}.detail`, IMAGE_DETAILS);
    return image;
  }
  const transcript = optionalString(part.transcript ?? undefined, `${param}.transcript`, MAX_TEXT);
  if (part.audio === undefined || part.audio === null) {
    if (transcript === undefined) throw invalidValue(`${param}.audio`, part.audio);
    return { type, transcript };
  }
  audio.set(index, audioContent(decodeWireAudio(string(part.audio, `${param}.audio`, 64_000_000), format, `${param}.audio`), format));
  return { type, transcript: transcript ?? UNTRANSCRIBED };
}

function parseAssistantPart(value: unknown, param: string, index: number, format: AudioFormatName, audio: Map<number, AudioContent>): AssistantPart {
  const part = record(value, param);
  // 'text' / 'audio' are the beta names; some GA clients still send them for assistant history.
  const type = oneOf(part.type, `${param}.type`, ['output_text', 'output_audio', 'text', 'audio'] as const);
  if (type === 'output_text' || type === 'text') return { type: 'output_text', text: string(part.text, `${param}.text`, MAX_TEXT) };
  if (typeof part.audio === 'string' && part.audio.length > 0) {
    audio.set(index, audioContent(decodeWireAudio(string(part.audio, `${param}.audio`, 64_000_000), format, `${param}.audio`), format));
  }
  return { type: 'output_audio', transcript: optionalString(part.transcript ?? undefined, `${param}.transcript`, MAX_TEXT) ?? '' };
}

function audioContent(pcm: Buffer, format: AudioFormatName): AudioContent {
  const whole = pcm.length % 2 === 1 ? pcm.subarray(0, pcm.length - 1) : pcm;
  const sampleRate = pcmRateOf(format);
  return { pcm: whole, sampleRate, durationMs: pcmDurationMs(whole.length, sampleRate) };
}

function stored(item: Item & { id: string }): StoredItem {
  return { item, audio: new Map() };
}

/**
 * The service sends `transcript: null` until an input audio part is recognized, and the
 * Agents SDK requires the field; the SDK's TypeScript type only allows a string.
 */
const UNTRANSCRIBED = null as unknown as string;

/** A user turn from committed input audio; its transcript is filled in when recognized. */
export function userAudioItem(id: string, pcm: Buffer, sampleRate: number): StoredItem {
  const item: Item & { id: string } = {
    id, type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: UNTRANSCRIBED }],
  };
  return { item, audio: new Map([[0, { pcm, sampleRate, durationMs: pcmDurationMs(pcm.length, sampleRate) }]]) };
}

export type AssistantItem = RealtimeConversationItemAssistantMessage & { id: string };

export function assistantMessage(
  id: string, status: 'in_progress' | 'completed' | 'incomplete' = 'in_progress', content: AssistantPart[] = [],
): AssistantItem {
  return { id, type: 'message', object: 'realtime.item', status, role: 'assistant', content };
}

export function functionCallItem(id: string, callId: string, name: string): Item & { id: string; type: 'function_call' } {
  return { id, type: 'function_call', object: 'realtime.item', status: 'in_progress', name, call_id: callId, arguments: '' };
}

/** Item references in `response.input` point into the conversation. */
export function isItemReference(value: unknown): value is { type: 'item_reference'; id: string } {
  return isRecord(value) && value.type === 'item_reference';
}

export function referencedItem(value: Json, param: string, lookup: (id: string) => StoredItem | undefined): StoredItem {
  const id = string(value.id, `${param}.id`, 64);
  const found = lookup(id);
  if (!found) throw new ProtocolFailure(`Item with id '${id}' not found.`, 'item_not_found', `${param}.id`);
  return found;
}
