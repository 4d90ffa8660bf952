import type { ServerEvent, SessionConfig, ProtocolError, Item, Response } from '../protocol/events.js';
import { addTokens, tokensOfUsage, ZERO_TOKENS, type TokenTotals } from '../cost/token-totals.js';

export type Speaker = 'user' | 'assistant' | 'system' | 'tool';

/** What kaiwa keeps of one conversation item: text, never audio (audio would grow without bound). */
export interface ItemView {
  readonly id: string;
  readonly kind: 'message' | 'function_call' | 'function_call_output' | 'other';
  readonly speaker: Speaker;
  readonly status: 'in_progress' | 'completed' | 'incomplete';
  /** The transcript (audio) or text, as far as it has arrived. */
  readonly text: string;
  /** The user's audio transcript is still being produced (or was never asked for). */
  readonly transcriptPending: boolean;
  /** Base64-decoded bytes of assistant audio received for this item. */
  readonly audioBytes: number;
  /** Set when the item was truncated after an interruption. */
  readonly truncatedAtMs?: number;
  readonly responseId?: string;
  readonly functionName?: string;
  readonly callId?: string;
}

export interface ResponseView {
  readonly id: string;
  readonly status: string;
  readonly tokens: TokenTotals;
}

export interface ConversationState {
  readonly session?: SessionConfig;
  readonly items: readonly ItemView[];
  /** The conversation's response under way (out-of-band ones run beside it). */
  readonly activeResponseId?: string;
  /** Responses outside the conversation (`conversation_id` null): their items are not the conversation's. */
  readonly outOfBandResponseIds: readonly string[];
  readonly responses: readonly ResponseView[];
  readonly tokens: TokenTotals;
  readonly userSpeaking: boolean;
  readonly lastError?: ProtocolError;
}

export const initialConversation: ConversationState = Object.freeze({
  items: [],
  outOfBandResponseIds: [],
  responses: [],
  tokens: ZERO_TOKENS,
  userSpeaking: false,
});

function base64Bytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function speakerOf(item: Item): Speaker {
  if (item.type === 'message') return item.role;
  if (item.type === 'function_call_output') return 'tool';
  return 'assistant';
}

function kindOf(item: Item): ItemView['kind'] {
  return item.type === 'message' || item.type === 'function_call' || item.type === 'function_call_output'
    ? item.type : 'other';
}

function textOf(item: Item): string {
  if (item.type === 'function_call') return item.arguments ?? '';
  if (item.type === 'function_call_output') return item.output ?? '';
  if (item.type !== 'message') return '';
  return item.content.map((part) => part.text ?? ('transcript' in part ? part.transcript : undefined) ?? '').join('');
}

function hasUserAudio(item: Item): boolean {
  return item.type === 'message' && item.role === 'user'
    && item.content.some((part) => part.type === 'input_audio');
}

function viewOf(item: Item, responseId?: string): ItemView {
  return {
    id: item.id ?? '',
    kind: kindOf(item),
    speaker: speakerOf(item),
    status: item.type === 'message' || item.type === 'function_call' ? item.status ?? 'completed' : 'completed',
    text: textOf(item),
    transcriptPending: hasUserAudio(item) && textOf(item) === '',
    audioBytes: 0,
    ...(responseId ? { responseId } : {}),
    ...(item.type === 'function_call' ? { functionName: item.name, callId: item.call_id } : {}),
    ...(item.type === 'function_call_output' ? { callId: item.call_id } : {}),
  };
}

function updateItem(state: ConversationState, id: string, change: (item: ItemView) => ItemView): ConversationState {
  const index = state.items.findIndex((item) => item.id === id);
  if (index < 0) return state;
  const items = state.items.slice();
  items[index] = change(items[index]!);
  return { ...state, items };
}

/** Adds an item after `previousId` (or at the end); an item seen twice is merged, not duplicated. */
function upsertItem(state: ConversationState, view: ItemView, previousId?: string | null): ConversationState {
  const existing = state.items.find((item) => item.id === view.id);
  if (existing) {
    return updateItem(state, view.id, (old) => ({
      ...old, ...view,
      text: view.text || old.text,
      audioBytes: old.audioBytes,
      transcriptPending: old.transcriptPending && !view.text,
      ...(old.responseId ? { responseId: old.responseId } : {}),
      ...(old.truncatedAtMs !== undefined ? { truncatedAtMs: old.truncatedAtMs } : {}),
    }));
  }
  const items = state.items.slice();
  const after = previousId ? items.findIndex((item) => item.id === previousId) : -1;
  if (after >= 0) items.splice(after + 1, 0, view);
  else items.push(view);
  return { ...state, items };
}

/** The pure heart of the client: conversation state as a fold over server events. */
export function reduceConversation(state: ConversationState, event: ServerEvent): ConversationState {
  switch (event.type) {
    case 'session.created':
    case 'session.updated':
      return { ...state, session: event.session as SessionConfig };
    case 'input_audio_buffer.speech_started':
      return { ...state, userSpeaking: true };
    case 'input_audio_buffer.speech_stopped':
      return { ...state, userSpeaking: false };
    case 'conversation.item.added':
    case 'conversation.item.created':
    case 'conversation.item.done':
      return upsertItem(state, viewOf(event.item), event.previous_item_id);
    case 'response.output_item.added':
    case 'response.output_item.done':
      if (state.outOfBandResponseIds.includes(event.response_id)) return state;
      return upsertItem(state, viewOf(event.item, event.response_id));
    case 'conversation.item.input_audio_transcription.delta':
      return updateItem(state, event.item_id, (item) => ({ ...item, text: item.text + (event.delta ?? '') }));
    case 'conversation.item.input_audio_transcription.completed':
      return updateItem(state, event.item_id, (item) => ({ ...item, text: event.transcript, transcriptPending: false }));
    case 'conversation.item.input_audio_transcription.failed':
      return updateItem(state, event.item_id, (item) => ({ ...item, transcriptPending: false }));
    case 'response.output_audio_transcript.delta':
    case 'response.output_text.delta':
      return updateItem(state, event.item_id, (item) => ({ ...item, text: item.text + event.delta }));
    case 'response.output_audio_transcript.done':
      return updateItem(state, event.item_id, (item) => ({ ...item, text: event.transcript }));
    case 'response.output_text.done':
      return updateItem(state, event.item_id, (item) => ({ ...item, text: event.text }));
    case 'response.output_audio.delta':
      return updateItem(state, event.item_id, (item) => ({ ...item, audioBytes: item.audioBytes + base64Bytes(event.delta) }));
    case 'response.function_call_arguments.done':
      return updateItem(state, event.item_id, (item) => ({ ...item, text: event.arguments, functionName: event.name, callId: event.call_id }));
    case 'conversation.item.truncated':
      return updateItem(state, event.item_id, (item) => ({ ...item, truncatedAtMs: event.audio_end_ms, status: 'incomplete' }));
    case 'conversation.item.deleted':
      return { ...state, items: state.items.filter((item) => item.id !== event.item_id) };
    case 'response.created':
      return startResponse(state, event.response);
    case 'response.done':
      return finishResponse(state, event.response);
    case 'error':
      return { ...state, lastError: event.error };
    default:
      return state;
  }
}

function startResponse(state: ConversationState, response: Response): ConversationState {
  const id = response.id ?? 'unknown';
  if (response.conversation_id === null) return { ...state, outOfBandResponseIds: [...state.outOfBandResponseIds, id] };
  return { ...state, activeResponseId: id };
}

/** Only the response that finished stops being active: another one's end says nothing of it. */
function finishResponse(state: ConversationState, response: Response): ConversationState {
  const tokens = tokensOfUsage(response.usage);
  const id = response.id ?? '';
  const view: ResponseView = { id, status: response.status ?? 'completed', tokens };
  const { activeResponseId, ...rest } = state;
  const stillActive = activeResponseId !== undefined && activeResponseId !== id && activeResponseId !== 'unknown' && id !== '';
  return {
    ...rest,
    ...(stillActive ? { activeResponseId } : {}),
    outOfBandResponseIds: state.outOfBandResponseIds.filter((other) => other !== id),
    responses: [...state.responses, view],
    tokens: addTokens(state.tokens, tokens),
  };
}

/**
 * The connection carrying the response under way is gone: no response.done will come for it.
 * It stops being active now, and what it had begun to say is cut off (incomplete). It is not
 * counted among the responses: nothing says what it cost.
 */
export function cutOffResponse(state: ConversationState): ConversationState {
  const { activeResponseId, ...rest } = state;
  if (activeResponseId === undefined) return state;
  const items = state.items.map((item) => (item.responseId === activeResponseId && item.status === 'in_progress' ? { ...item, status: 'incomplete' as const } : item));
  return { ...rest, items };
}
