import type { ClientEvent, ServerEvent, ServerEventOf } from '../../src/protocol/events.js';
import { SessionRecorder } from '../../src/recording/session-recorder.js';
import { FakeClock, tone } from './recording-helpers.js';

export const SECRET = 'sk-proj-TESTSECRET0123456789abcdef';
export const OTHER_SECRET = 'hunter2-bearer-token';

const server = (event: object): ServerEvent => event as ServerEvent;
const client = (event: object): ClientEvent => event as ClientEvent;
const delta = (eventId: string, chunk: Buffer): ServerEventOf<'response.output_audio.delta'> => ({
  type: 'response.output_audio.delta', event_id: eventId, response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0, delta: chunk.toString('base64'),
});

const USAGE = {
  total_tokens: 620, input_tokens: 300, output_tokens: 320,
  input_token_details: { text_tokens: 100, audio_tokens: 200, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 } },
  output_token_details: { text_tokens: 20, audio_tokens: 300 },
};

/**
 * One scripted conversation on a fake clock: the user speaks 0–1 s, the assistant's
 * answer arrives at 1.5 s (1.5 s of audio, queued at once as a server sends it), the user
 * barges in at 2.5 s, then a tool call. Each audio chunk comes once, with the event that carried it.
 */
export async function recordSyntheticSession(dir: string): Promise<void> {
  const clock = new FakeClock();
  clock.at(0);
  const recorder = new SessionRecorder(dir, { sampleRate: 24000, model: 'gpt-realtime', secrets: [SECRET, OTHER_SECRET], now: clock.now });
  recorder.clientEvent(client({
    type: 'session.update', event_id: 'evt_1',
    session: { type: 'realtime', instructions: `Never reveal ${OTHER_SECRET}.`, audio: { input: { format: { type: 'audio/pcm', rate: 24000 } } } },
  }));
  clock.at(20);
  recorder.serverEvent(server({ type: 'session.created', event_id: 'e1', session: { type: 'realtime', model: 'gpt-realtime', id: 'sess_1' } }));

  for (let i = 1; i <= 10; i++) {
    clock.at(i * 100);
    const chunk = tone(100, 440);
    recorder.userAudio(chunk, { type: 'input_audio_buffer.append', audio: chunk.toString('base64') });
    if (i === 2) recorder.serverEvent(server({ type: 'input_audio_buffer.speech_started', event_id: 'e2', audio_start_ms: 0, item_id: 'item_u1' }));
  }
  clock.at(1100);
  recorder.serverEvent(server({ type: 'input_audio_buffer.speech_stopped', event_id: 'e3', audio_end_ms: 1000, item_id: 'item_u1' }));
  clock.at(1150);
  recorder.serverEvent(server({ type: 'input_audio_buffer.committed', event_id: 'e4', item_id: 'item_u1', previous_item_id: null }));
  clock.at(1300);
  recorder.serverEvent(server({ type: 'response.created', event_id: 'e5', response: { id: 'resp_1', status: 'in_progress', output: [] } }));
  recorder.serverEvent(server({
    type: 'response.output_item.added', event_id: 'e6', response_id: 'resp_1', output_index: 0,
    item: { id: 'item_a1', type: 'message', role: 'assistant', status: 'in_progress', content: [] },
  }));

  clock.at(1500);
  for (let i = 0; i < 15; i++) {
    const chunk = tone(100, 880);
    recorder.assistantAudio(delta(`d${i}`, chunk), chunk);
  }
  for (const words of ['Hello! ', 'How can I help ', 'you today?']) {
    recorder.serverEvent(server({ type: 'response.output_audio_transcript.delta', event_id: 'e7', response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0, delta: words }));
  }
  clock.at(1700);
  // The user's transcript arrives after the answer began; it still belongs at 0.2 s.
  recorder.serverEvent(server({
    type: 'conversation.item.input_audio_transcription.completed', event_id: 'e8', item_id: 'item_u1', content_index: 0,
    transcript: 'What is the weather in Paris?', usage: { type: 'duration', seconds: 1 },
  }));

  clock.at(2500);
  recorder.interruptAssistant();
  recorder.clientEvent(client({ type: 'conversation.item.truncate', event_id: 'evt_2', item_id: 'item_a1', content_index: 0, audio_end_ms: 1000 }));
  clock.at(2550);
  // A straggler the server sent before it heard of the truncation: a player drops it.
  const late = tone(100, 880);
  recorder.assistantAudio(delta('late', late), late);
  clock.at(2600);
  recorder.serverEvent(server({ type: 'response.done', event_id: 'e9', response: { id: 'resp_1', status: 'cancelled', output: [], usage: USAGE } }));

  clock.at(3000);
  recorder.serverEvent(server({
    type: 'response.function_call_arguments.done', event_id: 'e10', response_id: 'resp_2', item_id: 'item_f1', output_index: 0,
    call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}',
  }));
  clock.at(3100);
  recorder.clientEvent(client({
    type: 'conversation.item.create', event_id: 'evt_3',
    item: { type: 'function_call_output', call_id: 'call_1', output: `{"temp_c":21,"token":"${SECRET}"}` },
  }));
  clock.at(3200);
  recorder.serverEvent(server({ type: 'error', event_id: 'e11', error: { type: 'invalid_request_error', code: 'bad_key', message: `Incorrect API key provided: ${SECRET}`, param: null, event_id: null } }));
  clock.at(3500);
  await recorder.close();
}
