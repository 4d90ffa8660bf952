import type { ServerEvent } from '../events.js';

/**
 * The GA events that stand for one Live reply or one user utterance. Live streams audio and
 * transcript fragments without ids or ends; kaiwa's reducer, player and printer expect a
 * response holding one assistant item, and a user item whose transcript completes. These
 * builders give the Live stream that shape, with ids made up here (prefixed `live_`).
 */
export interface ReplyIds {
  responseId: string;
  itemId: string;
  /** kaiwa's request tag, when the reply answers a request it made (a typed line). */
  metadata: Record<string, string> | null;
}

const CONVERSATION_ID = 'conv_live';

function assistantItem(ids: ReplyIds, status: 'in_progress' | 'completed' | 'incomplete', transcript: string | null) {
  return {
    id: ids.itemId, object: 'realtime.item', type: 'message', role: 'assistant', status,
    content: transcript === null ? [] : [{ type: 'output_audio', transcript }],
  } as const;
}

function response(ids: ReplyIds, status: string, output: unknown[]) {
  return {
    id: ids.responseId, object: 'realtime.response', status, output, conversation_id: CONVERSATION_ID,
    output_modalities: ['audio'], metadata: ids.metadata,
  };
}

const at = (ids: ReplyIds) => ({ response_id: ids.responseId, item_id: ids.itemId, output_index: 0, content_index: 0 });

export function replyStarted(ids: ReplyIds): ServerEvent[] {
  return [
    { type: 'response.created', event_id: '', response: response(ids, 'in_progress', []) },
    { type: 'response.output_item.added', event_id: '', response_id: ids.responseId, output_index: 0, item: assistantItem(ids, 'in_progress', null) },
    { type: 'response.content_part.added', event_id: '', ...at(ids), part: { type: 'audio', transcript: '' } },
  ] as unknown as ServerEvent[];
}

export function replyAudio(ids: ReplyIds, delta: string): ServerEvent {
  return { type: 'response.output_audio.delta', event_id: '', ...at(ids), delta } as unknown as ServerEvent;
}

export function replyTranscript(ids: ReplyIds, delta: string): ServerEvent {
  return { type: 'response.output_audio_transcript.delta', event_id: '', ...at(ids), delta } as unknown as ServerEvent;
}

/** The reply is over: completed after silence or a change of speaker, cancelled when kaiwa cut it off. */
export function replyFinished(ids: ReplyIds, transcript: string, status: 'completed' | 'cancelled'): ServerEvent[] {
  const item = assistantItem(ids, status === 'completed' ? 'completed' : 'incomplete', transcript);
  return [
    { type: 'response.output_audio.done', event_id: '', ...at(ids) },
    { type: 'response.output_audio_transcript.done', event_id: '', ...at(ids), transcript },
    { type: 'response.content_part.done', event_id: '', ...at(ids), part: { type: 'audio', transcript } },
    { type: 'response.output_item.done', event_id: '', response_id: ids.responseId, output_index: 0, item },
    { type: 'response.done', event_id: '', response: response(ids, status, [item]) },
  ] as unknown as ServerEvent[];
}

function userItem(itemId: string, transcript: string | null, status: 'in_progress' | 'completed') {
  return { id: itemId, object: 'realtime.item', type: 'message', role: 'user', status, content: [{ type: 'input_audio', transcript }] };
}

export function userStarted(itemId: string, startMs: number, previousItemId: string | null): ServerEvent[] {
  return [
    { type: 'input_audio_buffer.speech_started', event_id: '', item_id: itemId, audio_start_ms: startMs },
    { type: 'conversation.item.added', event_id: '', previous_item_id: previousItemId, item: userItem(itemId, null, 'in_progress') },
  ] as unknown as ServerEvent[];
}

export function userTranscript(itemId: string, delta: string): ServerEvent {
  return { type: 'conversation.item.input_audio_transcription.delta', event_id: '', item_id: itemId, content_index: 0, delta } as unknown as ServerEvent;
}

export function userFinished(itemId: string, endMs: number, transcript: string, previousItemId: string | null): ServerEvent[] {
  return [
    { type: 'input_audio_buffer.speech_stopped', event_id: '', item_id: itemId, audio_end_ms: endMs },
    { type: 'input_audio_buffer.committed', event_id: '', item_id: itemId, previous_item_id: previousItemId },
    { type: 'conversation.item.input_audio_transcription.completed', event_id: '', item_id: itemId, content_index: 0, transcript },
    { type: 'conversation.item.done', event_id: '', previous_item_id: previousItemId, item: userItem(itemId, transcript, 'completed') },
  ] as unknown as ServerEvent[];
}

/** An item kaiwa sent that Live took in another form (a typed line as appended instructions). */
export function itemConfirmed(item: Record<string, unknown>, previousItemId: string | null): ServerEvent[] {
  const done = { ...item, status: 'completed' };
  return [
    { type: 'conversation.item.added', event_id: '', previous_item_id: previousItemId, item: done },
    { type: 'conversation.item.done', event_id: '', previous_item_id: previousItemId, item: done },
  ] as unknown as ServerEvent[];
}
