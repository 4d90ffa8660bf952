import { test, mock, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { LiveClientDialect } from '../../src/protocol/live/live-client-dialect.js';
import type { ClientEvent, ServerEvent, WireEvent } from '../../src/protocol/events.js';
import { initialConversation, reduceConversation } from '../../src/client/conversation.js';

type Json = Record<string, unknown>;

interface Harness {
  dialect: LiveClientDialect;
  /** Everything kaiwa's session would have seen, in order. */
  seen: ServerEvent[];
  wire: WireEvent[];
  client(event: Json): void;
  server(event: Json): void;
}

function harness(): Harness {
  const seen: ServerEvent[] = [];
  const wire: WireEvent[] = [];
  const dialect = new LiveClientDialect({ deliver: (events) => seen.push(...events), sendWire: (events) => wire.push(...events) });
  return {
    dialect, seen, wire,
    client: (event) => {
      const out = dialect.clientToWire(event as unknown as ClientEvent);
      wire.push(...out.wire);
      seen.push(...out.local);
    },
    server: (event) => { seen.push(...dialect.serverFromWire(event as WireEvent)); },
  };
}

const started = { type: 'session.started', event_id: 'ev_s', session: { id: 'sess_1', expires_at: 1, model: 'gpt-live-1', status: 'active', audio: { format: { type: 'audio/pcm', rate: 24000 } } } };
const audio = (bytes: number): Json => ({ type: 'session.output_audio.delta', delta: Buffer.alloc(bytes, 1).toString('base64') });
const said = (delta: string, start: number, end: number, speaker: 'input' | 'output' = 'output'): Json => ({ type: `session.${speaker}_transcript.delta`, event_id: `ev_${start}_${delta}`, delta, start_ms: start, end_ms: end });
const typesOf = (events: readonly { type: string }[]): string[] => events.map((event) => event.type);

function startedHarness(): Harness {
  const h = harness();
  h.client({ type: 'session.update', event_id: 'evt_1', session: { type: 'realtime', model: 'gpt-live-1', audio: { output: { voice: 'marin' } } } });
  h.server(started);
  h.seen.length = 0;
  h.wire.length = 0;
  return h;
}

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

test('session.start goes first and alone; audio appended before session.started waits for it, in order', async () => {
  const h = harness();
  h.client({ type: 'session.update', event_id: 'evt_1', session: { type: 'realtime', model: 'gpt-live-1', instructions: 'Hi.', audio: { input: { turn_detection: { type: 'server_vad' } }, output: { voice: 'cedar' } } } });
  h.client({ type: 'input_audio_buffer.append', event_id: 'evt_2', audio: 'AAAA' });
  h.client({ type: 'input_audio_buffer.append', event_id: 'evt_3', audio: 'BBBB' });
  h.client({ type: 'input_audio_buffer.commit', event_id: 'evt_4' });
  assert.deepEqual(h.wire, [{ type: 'session.start', event_id: 'evt_1', session: { model: 'gpt-live-1', instructions: 'Hi.', audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'cedar' } } } }]);
  h.server(started);
  assert.deepEqual(typesOf(h.seen), ['session.created', 'session.updated', 'session.started']);
  await Promise.resolve();
  assert.deepEqual(h.wire.slice(1), [
    { type: 'session.input_audio.append', audio: 'AAAA', event_id: 'evt_2' },
    { type: 'session.input_audio.append', audio: 'BBBB', event_id: 'evt_3' },
  ], 'held audio sent once started; the commit has no Live twin');
});

test('Live output becomes one GA response that ends after the SDK grouper\'s 2 s of silence', () => {
  const h = startedHarness();
  h.server(audio(480));
  h.server(said('Hello ', 1000, 1100));
  h.server(audio(480));
  h.server(said('there.', 1100, 1200));
  const deltas = h.seen.filter((event) => event.type === 'response.output_audio.delta') as Array<ServerEvent & { item_id: string; response_id: string }>;
  assert.equal(deltas.length, 2);
  assert.equal(new Set(deltas.map((event) => event.item_id)).size, 1, 'one made-up item id for the reply');
  mock.timers.tick(1999);
  assert.ok(!h.seen.some((event) => event.type === 'response.done'), 'not over before 2 s of silence');
  mock.timers.tick(1);
  const done = h.seen.find((event) => event.type === 'response.done') as ServerEvent & { response: { status: string; output: Array<{ content: Array<{ transcript: string }> }> } };
  assert.equal(done.response.status, 'completed');
  assert.equal(done.response.output[0]!.content[0]!.transcript, 'Hello there.');
  const state = h.seen.reduce(reduceConversation, initialConversation);
  assert.equal(state.activeResponseId, undefined);
  assert.deepEqual(state.items.map((item) => [item.speaker, item.text, item.audioBytes]), [['assistant', 'Hello there.', 960]]);
});

test('the user speaking ends the reply at once (speaker change); the user item completes when the assistant answers', () => {
  const h = startedHarness();
  h.server(audio(480));
  h.server(said('One moment', 500, 900));
  h.server(said('Wait,', 950, 1300, 'input'));
  assert.deepEqual(typesOf(h.seen).slice(-4), ['response.done', 'input_audio_buffer.speech_started', 'conversation.item.added', 'conversation.item.input_audio_transcription.delta']);
  h.server(said(' stop.', 1300, 1600, 'input'));
  h.server(audio(480));
  const completed = h.seen.find((event) => event.type === 'conversation.item.input_audio_transcription.completed') as ServerEvent & { transcript: string };
  assert.equal(completed.transcript, 'Wait, stop.');
  const stopped = h.seen.find((event) => event.type === 'input_audio_buffer.speech_stopped') as ServerEvent & { audio_end_ms: number };
  assert.equal(stopped.audio_end_ms, 1600);
  const state = h.seen.reduce(reduceConversation, initialConversation);
  assert.deepEqual(state.items.map((item) => [item.speaker, item.text]), [['assistant', 'One moment'], ['user', 'Wait, stop.'], ['assistant', '']]);
  assert.equal(state.responses.length, 1);
  assert.ok(state.activeResponseId, 'the second reply is under way');
});

test('a user item that starts after the user\'s earlier words begins at its first word: the joining space is the stream\'s, not the item\'s', () => {
  const h = startedHarness();
  h.server(said('wait', 500, 900, 'input'));
  mock.timers.tick(2000);
  h.server(said(' what about', 3000, 3300, 'input'));
  h.server(said(' the north', 3300, 3600, 'input'));
  h.server(said(' ', 3600, 3600, 'input'));
  mock.timers.tick(2000);
  const state = h.seen.reduce(reduceConversation, initialConversation);
  assert.deepEqual(state.items.map((item) => [item.speaker, item.text]), [['user', 'wait'], ['user', 'what about the north ']]);
});

test('words that arrive late but go on without a pause in Live\'s time stay one utterance: a recognizer that lags does not split the user\'s line', () => {
  const h = startedHarness();
  h.server(said('please tell me', 500, 1500, 'input'));
  mock.timers.tick(3000);
  h.server(said(' about the bridges', 1500, 2600, 'input'));
  mock.timers.tick(2500);
  h.server(said(' of paris', 2700, 3400, 'input'));
  h.server(audio(480));
  const state = h.seen.reduce(reduceConversation, initialConversation);
  assert.deepEqual(state.items.map((item) => [item.speaker, item.text]), [['user', 'please tell me about the bridges of paris'], ['assistant', '']]);
  assert.equal(h.seen.filter((event) => event.type === 'conversation.item.input_audio_transcription.completed').length, 1);
});

test('a turn Live leaves unanswered still completes, once no new words came for a while', () => {
  const h = startedHarness();
  h.server(said('mm hmm', 500, 900, 'input'));
  mock.timers.tick(4999);
  assert.ok(!h.seen.some((event) => event.type === 'conversation.item.input_audio_transcription.completed'), 'open while late words could still come');
  mock.timers.tick(1);
  const completed = h.seen.find((event) => event.type === 'conversation.item.input_audio_transcription.completed') as ServerEvent & { transcript: string };
  assert.equal(completed.transcript, 'mm hmm');
});

test('response.cancel ends the reply for kaiwa at once; what Live still sends of it is dropped', () => {
  const h = startedHarness();
  h.server(audio(480));
  h.client({ type: 'response.cancel', event_id: 'evt_c' });
  assert.equal(h.wire.length, 0, 'Live has no cancel: nothing goes out');
  const done = h.seen.filter((event) => event.type === 'response.done') as Array<ServerEvent & { response: { status: string } }>;
  assert.deepEqual(done.map((event) => event.response.status), ['cancelled']);
  const before = h.seen.length;
  h.server(audio(480));
  h.server(said('rest of it', 600, 800));
  assert.equal(h.seen.length, before, 'the rest of the cut-off reply is not played');
  mock.timers.tick(2000);
  h.server(audio(480));
  assert.deepEqual(typesOf(h.seen.slice(before)), ['response.created', 'response.output_item.added', 'response.content_part.added', 'response.output_audio.delta']);
});

test('a reply the end of the session cuts off (session.closed, or the connection gone) never completes, as a GA response its connection lost never reports done', () => {
  for (const end of ['session.closed', 'connection closed'] as const) {
    const h = startedHarness();
    h.server(audio(480));
    h.server(said('You said', 500, 900));
    if (end === 'session.closed') h.server({ type: 'session.closed', event_id: 'ev_c', usage: { seconds: 2 } });
    else h.seen.push(...h.dialect.dispose());
    mock.timers.tick(5000);
    assert.ok(!h.seen.some((event) => event.type === 'response.done'), `${end}: the cut-off reply is not reported done`);
    assert.equal(h.seen.reduce(reduceConversation, initialConversation).responses.filter((response) => response.status === 'completed').length, 0, end);
  }
});

test('a typed line goes as appended instructions, is confirmed as kaiwa\'s item, and the next reply answers kaiwa\'s request', () => {
  const h = startedHarness();
  h.client({ type: 'conversation.item.create', event_id: 'evt_t', item: { id: 'item_k1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What time is it?' }] } });
  h.client({ type: 'response.create', event_id: 'evt_r', response: { metadata: { kaiwa_request: 'evt_r' } } });
  assert.deepEqual(h.wire, [{ type: 'session.instructions.append', content: 'The user typed (instead of speaking): What time is it?', delegation_id: null, event_id: 'evt_t' }]);
  h.server({ type: 'session.instructions.appended', event_id: 'ev_a', start_ms: 10, end_ms: 10, client_event_id: 'evt_t' });
  const added = h.seen.find((event) => event.type === 'conversation.item.added') as ServerEvent & { item: { id: string; status: string } };
  assert.equal(added.item.id, 'item_k1');
  h.server(audio(480));
  const created = h.seen.find((event) => event.type === 'response.created') as ServerEvent & { response: { metadata: Json } };
  assert.deepEqual(created.response.metadata, { kaiwa_request: 'evt_r' });
});

test('a Live error names the client event that caused it, as GA error.event_id', () => {
  const h = startedHarness();
  h.server({ type: 'error', event_id: 'ev_e', error: { type: 'invalid_request_error', code: 'unknown_parameter', message: 'Unknown parameter.', param: 'session.x', client_event_id: 'evt_9' } });
  assert.deepEqual(h.seen, [{ type: 'error', event_id: 'ev_e', error: { type: 'invalid_request_error', code: 'unknown_parameter', message: 'Unknown parameter.', param: 'session.x', event_id: 'evt_9' } }]);
});

test('function calls of a delegated Responses backend reach kaiwa as an out-of-band response; results go back as response.item.create', () => {
  const h = startedHarness();
  const nested = (event: Json): Json => ({ type: 'response.event', event_id: `ev_${String(event.type)}`, delegation_id: 'del_1', event });
  h.server({ type: 'session.delegation.created', event_id: 'ev_d', offset_ms: 900, delegation: { id: 'del_1', type: 'delegation', target: 'responses', response_id: 'resp_b' } });
  h.server(nested({ type: 'response.output_item.done', item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_time', arguments: '{}' } }));
  h.server(nested({ type: 'response.completed', response: { id: 'resp_b' } }));
  const done = h.seen.find((event) => event.type === 'response.done') as ServerEvent & { response: { conversation_id: null; output: Json[] } };
  assert.equal(done.response.conversation_id, null);
  assert.deepEqual(done.response.output.map((item) => [item.type, item.call_id, item.name]), [['function_call', 'call_1', 'get_time']]);
  h.client({ type: 'conversation.item.create', event_id: 'evt_o', item: { type: 'function_call_output', call_id: 'call_1', output: '{"time":"noon"}' } });
  h.client({ type: 'response.create', event_id: 'evt_rc' });
  assert.deepEqual(h.wire, [
    { type: 'response.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: '{"time":"noon"}' }, event_id: 'evt_o' },
    { type: 'response.create', event_id: 'evt_rc' },
  ]);
});

test('a reply that acknowledged a delegation does not end in silence until kaiwa has answered the backend\'s calls; the spoken answer is kaiwa\'s request', () => {
  const h = startedHarness();
  const nested = (event: Json): Json => ({ type: 'response.event', event_id: `ev_${String(event.type)}`, delegation_id: 'del_1', event });
  h.server({ type: 'session.delegation.created', event_id: 'ev_d', offset_ms: 900, delegation: { id: 'del_1', type: 'delegation', target: 'responses', response_id: 'resp_b' } });
  h.server(audio(480));
  h.server(said('One moment.', 1000, 1100));
  mock.timers.tick(5000);
  assert.ok(!h.seen.some((event) => event.type === 'response.done'), 'the acknowledgement is not over while the backend works');
  h.server(nested({ type: 'response.output_item.done', item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_time', arguments: '{}' } }));
  h.server(nested({ type: 'response.completed', response: { id: 'resp_b' } }));
  const done = (): Array<ServerEvent & { response: { conversation_id: string | null; status: string } }> => h.seen.filter((event) => event.type === 'response.done') as never;
  assert.deepEqual(done().map((event) => event.response.conversation_id), [null], 'only the calls are done: the acknowledgement waits for their results');
  h.client({ type: 'conversation.item.create', event_id: 'evt_o', item: { type: 'function_call_output', call_id: 'call_1', output: '{"time":"noon"}' } });
  assert.deepEqual(done().map((event) => [event.response.conversation_id, event.response.status]), [[null, 'completed'], ['conv_live', 'completed']], 'the acknowledgement ends once the result is sent');
  h.client({ type: 'response.create', event_id: 'evt_rc', response: { metadata: { kaiwa_request: 'evt_rc' } } });
  h.server(audio(480));
  const created = h.seen.filter((event) => event.type === 'response.created').at(-1) as ServerEvent & { response: { metadata: Json } };
  assert.deepEqual(created.response.metadata, { kaiwa_request: 'evt_rc' }, 'the spoken answer answers kaiwa\'s request to go on');
});

test('a delegation the backend finishes by itself releases the reply; a client delegation never holds one', () => {
  const h = startedHarness();
  h.server({ type: 'session.delegation.created', event_id: 'ev_d', offset_ms: 900, delegation: { id: 'del_1', type: 'delegation', target: 'responses', response_id: 'resp_b' } });
  h.server(audio(480));
  mock.timers.tick(3000);
  assert.ok(!h.seen.some((event) => event.type === 'response.done'));
  h.server({ type: 'response.event', event_id: 'ev_c', delegation_id: 'del_1', event: { type: 'response.completed', response: { id: 'resp_b' } } });
  assert.equal(h.seen.filter((event) => event.type === 'response.done').length, 1, 'released at once: its silence was over');
  h.server({ type: 'session.delegation.created', event_id: 'ev_d2', offset_ms: 4000, delegation: { id: 'del_2', type: 'delegation', target: 'client' } });
  h.server(audio(480));
  mock.timers.tick(2000);
  assert.equal(h.seen.filter((event) => event.type === 'response.done').length, 2, 'a client delegation is the application\'s own business');
});
