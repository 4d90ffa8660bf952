/**
 * Server event streams as the Realtime service sends them, written out by hand for each
 * dialect (not produced by kaiwa's own dialect adapter, so a bug there cannot hide).
 */
export interface TurnScript {
  userItemId?: string;
  userTranscript?: string;
  assistantTranscript: string;
  /** Wire-format audio chunks of the assistant's reply. */
  audioChunks: Buffer[];
  usage?: object;
}

export const SAMPLE_USAGE = {
  total_tokens: 140, input_tokens: 118, output_tokens: 22,
  input_token_details: { cached_tokens: 0, text_tokens: 102, audio_tokens: 16 },
  output_token_details: { text_tokens: 22, audio_tokens: 0 },
};

let counter = 0;
const id = (prefix: string): string => `${prefix}_${(++counter).toString().padStart(6, '0')}`;

function splitWords(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text];
}

export function gaVoiceTurn(script: TurnScript): object[] {
  const userItem = script.userItemId ?? id('item');
  const responseId = id('resp');
  const item = id('item');
  const ev = (body: object): object => ({ event_id: id('event'), ...body });
  const common = { response_id: responseId, item_id: item, output_index: 0, content_index: 0 };
  const events: object[] = [];
  if (script.userTranscript !== undefined) {
    events.push(
      ev({ type: 'input_audio_buffer.speech_started', audio_start_ms: 100, item_id: userItem }),
      ev({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 1500, item_id: userItem }),
      ev({ type: 'input_audio_buffer.committed', item_id: userItem, previous_item_id: null }),
      ev({ type: 'conversation.item.added', previous_item_id: null, item: { id: userItem, type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] } }),
      ev({ type: 'conversation.item.done', previous_item_id: null, item: { id: userItem, type: 'message', object: 'realtime.item', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] } }),
    );
  }
  const assistantItem = { id: item, type: 'message', object: 'realtime.item', status: 'in_progress', role: 'assistant', content: [] };
  events.push(
    ev({ type: 'response.created', response: { object: 'realtime.response', id: responseId, status: 'in_progress', output: [], output_modalities: ['audio'], usage: null } }),
    ev({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: assistantItem }),
    ev({ type: 'conversation.item.added', previous_item_id: userItem, item: assistantItem }),
    ev({ type: 'response.content_part.added', ...common, part: { type: 'output_audio', transcript: '' } }),
  );
  const words = splitWords(script.assistantTranscript);
  script.audioChunks.forEach((chunk, index) => {
    events.push(ev({ type: 'response.output_audio.delta', ...common, delta: chunk.toString('base64') }));
    if (words[index]) events.push(ev({ type: 'response.output_audio_transcript.delta', ...common, delta: words[index] }));
  });
  for (const word of words.slice(script.audioChunks.length)) {
    events.push(ev({ type: 'response.output_audio_transcript.delta', ...common, delta: word }));
  }
  if (script.userTranscript !== undefined) {
    events.push(ev({ type: 'conversation.item.input_audio_transcription.completed', item_id: userItem, content_index: 0, transcript: script.userTranscript, usage: { type: 'duration', seconds: 1 } }));
  }
  const doneItem = { ...assistantItem, status: 'completed', content: [{ type: 'output_audio', transcript: script.assistantTranscript }] };
  events.push(
    ev({ type: 'response.output_audio.done', ...common }),
    ev({ type: 'response.output_audio_transcript.done', ...common, transcript: script.assistantTranscript }),
    ev({ type: 'response.content_part.done', ...common, part: { type: 'output_audio', transcript: script.assistantTranscript } }),
    ev({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: doneItem }),
    ev({ type: 'conversation.item.done', previous_item_id: userItem, item: doneItem }),
    ev({ type: 'response.done', response: { object: 'realtime.response', id: responseId, status: 'completed', output: [doneItem], output_modalities: ['audio'], usage: script.usage ?? SAMPLE_USAGE } }),
  );
  return events;
}

/** The same turn in the 2024 beta dialect (realtime=v1), as the article's server sent it. */
export function betaVoiceTurn(script: TurnScript): object[] {
  const userItem = script.userItemId ?? id('item');
  const responseId = id('resp');
  const item = id('item');
  const ev = (body: object): object => ({ event_id: id('event'), ...body });
  const common = { response_id: responseId, item_id: item, output_index: 0, content_index: 0 };
  const events: object[] = [];
  if (script.userTranscript !== undefined) {
    events.push(
      ev({ type: 'input_audio_buffer.speech_started', audio_start_ms: 100, item_id: userItem }),
      ev({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 1500, item_id: userItem }),
      ev({ type: 'input_audio_buffer.committed', item_id: userItem, previous_item_id: null }),
      ev({ type: 'conversation.item.created', previous_item_id: null, item: { id: userItem, object: 'realtime.item', type: 'message', status: 'completed', role: 'user', content: [{ type: 'input_audio', transcript: null }] } }),
    );
  }
  const assistantItem = { id: item, object: 'realtime.item', type: 'message', status: 'in_progress', role: 'assistant', content: [] };
  events.push(
    ev({ type: 'response.created', response: { object: 'realtime.response', id: responseId, status: 'in_progress', status_details: null, output: [], usage: null } }),
    ev({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: assistantItem }),
    ev({ type: 'conversation.item.created', previous_item_id: userItem, item: assistantItem }),
    ev({ type: 'response.content_part.added', ...common, part: { type: 'audio', transcript: '' } }),
  );
  const words = splitWords(script.assistantTranscript);
  script.audioChunks.forEach((chunk, index) => {
    events.push(ev({ type: 'response.audio.delta', ...common, delta: chunk.toString('base64') }));
    if (words[index]) events.push(ev({ type: 'response.audio_transcript.delta', ...common, delta: words[index] }));
  });
  for (const word of words.slice(script.audioChunks.length)) {
    events.push(ev({ type: 'response.audio_transcript.delta', ...common, delta: word }));
  }
  if (script.userTranscript !== undefined) {
    events.push(ev({ type: 'conversation.item.input_audio_transcription.completed', item_id: userItem, content_index: 0, transcript: script.userTranscript }));
  }
  const doneItem = { ...assistantItem, status: 'completed', content: [{ type: 'audio', transcript: script.assistantTranscript }] };
  events.push(
    ev({ type: 'response.audio.done', ...common }),
    ev({ type: 'response.audio_transcript.done', ...common, transcript: script.assistantTranscript }),
    ev({ type: 'response.content_part.done', ...common, part: { type: 'audio', transcript: script.assistantTranscript } }),
    ev({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: doneItem }),
    ev({ type: 'response.done', response: { object: 'realtime.response', id: responseId, status: 'completed', status_details: null, output: [doneItem], usage: script.usage ?? SAMPLE_USAGE } }),
  );
  return events;
}

export function gaSessionCreated(): object {
  return {
    type: 'session.created', event_id: id('event'),
    session: { type: 'realtime', object: 'realtime.session', id: id('sess'), model: 'gpt-realtime', output_modalities: ['audio'], audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200 } }, output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy' } } },
  };
}

export function betaSessionCreated(): object {
  return {
    type: 'session.created', event_id: id('event'),
    session: { id: id('sess'), object: 'realtime.session', model: 'gpt-4o-realtime-preview-2024-10-01', modalities: ['text', 'audio'], voice: 'alloy', input_audio_format: 'pcm16', output_audio_format: 'pcm16', input_audio_transcription: null, turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200 } },
  };
}
