import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient, startTestServer, textSession, types, userText } from '../helpers/server-harness.js';
import { ToneSynthesizer, fakeSpeech } from '../helpers/server-speech.js';
import type { Json } from '../helpers/server-client.js';

test('a text turn follows the service event order and echoes what was said', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.send(userText('Hello there'));
  client.send({ type: 'response.create' });
  const events = await client.until('rate_limits.updated');
  const order = types(events).filter((type, index, all) => type !== 'response.output_text.delta' || all[index - 1] !== type);
  assert.deepEqual(order, [
    'conversation.item.added', 'conversation.item.done',
    'response.created', 'response.output_item.added', 'conversation.item.added', 'response.content_part.added',
    'response.output_text.delta', 'response.output_text.done', 'response.content_part.done',
    'response.output_item.done', 'conversation.item.done', 'response.done', 'rate_limits.updated',
  ]);
  const text = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
  assert.equal(text, 'You said: Hello there');
  const done = events.find((event) => event.type === 'response.done')!.response as Json;
  assert.equal(done.status, 'completed');
  assert.equal(((done.output as Json[])[0]!.content as Json[])[0]!.text, 'You said: Hello there');
  for (const event of events) assert.match(String(event.event_id), /^event_/);
});

test('every response event names its response, item, output and content index', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.send(userText('check the fields'));
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  const responseId = (events.find((event) => event.type === 'response.created')!.response as Json).id;
  for (const event of events.filter((e) => /^response\.(output_text|content_part)/.test(e.type))) {
    assert.equal(event.response_id, responseId, event.type);
    assert.equal(typeof event.item_id, 'string', event.type);
    assert.equal(event.output_index, 0, event.type);
    assert.equal(event.content_index, 0, event.type);
  }
});

test('an audio response streams base64 audio in chunks of at most 100 ms with its transcript', async () => {
  const synthesizer = new ToneSynthesizer(20, 250);
  const server = await startTestServer({ speech: fakeSpeech({ synthesizer }) });
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  client.send(userText('Speak to me. Please.'));
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  const audio = events.filter((event) => event.type === 'response.output_audio.delta');
  assert.ok(audio.length > 5);
  const bytes = audio.map((event) => Buffer.from(String(event.delta), 'base64').length);
  assert.ok(bytes.every((size) => size <= 4800 && size % 2 === 0), `chunk sizes ${bytes.join(',')}`);
  const transcript = events.filter((event) => event.type === 'response.output_audio_transcript.delta').map((event) => event.delta).join('');
  assert.equal(transcript, 'You said: Speak to me. Please.');
  assert.deepEqual(synthesizer.texts, ['You said: Speak to me.', 'Please.']);
  const totalMs = bytes.reduce((sum, size) => sum + size, 0) / 48;
  const tail = types(events).slice(-6);
  assert.deepEqual(tail, [
    'response.output_audio.done', 'response.output_audio_transcript.done', 'response.content_part.done',
    'response.output_item.done', 'conversation.item.done', 'response.done',
  ]);
  const part = events.find((event) => event.type === 'response.content_part.done')!.part as Json;
  assert.deepEqual(part, { type: 'audio', transcript });
  const usage = (events.at(-1)!.response as Json).usage as { output_token_details: Json; output_tokens: number };
  assert.equal(usage.output_token_details.audio_tokens, Math.ceil((totalMs / 1000) * 20));
  assert.ok(usage.output_tokens > (usage.output_token_details.audio_tokens as number));
});

test('usage counts the context: text at ~4 characters a token, user audio at 10 tokens a second', async () => {
  const server = await startTestServer();
  const client = await textSession(server, { instructions: 'abcdefgh' });
  client.send(userText('x'.repeat(40)));
  client.send({ type: 'response.create' });
  const done = await client.next('response.done');
  const usage = (done.response as Json).usage as { input_token_details: Json; input_tokens: number; total_tokens: number; output_tokens: number };
  // instructions 2 + 4 overhead, message 10 + 4 overhead
  assert.equal(usage.input_token_details.text_tokens, 20);
  assert.equal(usage.input_token_details.audio_tokens, 0);
  assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
});

test('an out-of-band response reads its own input, keeps its metadata, and stays out of the conversation', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.send(userText('first'));
  client.send({
    type: 'response.create',
    response: { conversation: 'none', metadata: { topic: 'summary' }, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'side question' }] }] },
  });
  const events = await client.until('response.done');
  assert.ok(!types(events.slice(3)).includes('conversation.item.added'), 'out-of-band output is not added');
  const response = events.at(-1)!.response as Json;
  assert.deepEqual(response.metadata, { topic: 'summary' });
  assert.equal(response.conversation_id, null);
  const text = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
  assert.equal(text, 'You said: side question');
  client.send({ type: 'response.create' });
  const next = await client.until('response.done');
  assert.equal(next.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join(''), 'You said: first');
});

test('a second response.create while one is active is refused like the service does', async () => {
  const synthesizer = new ToneSynthesizer(40, 100, 5);
  const server = await startTestServer({ speech: fakeSpeech({ synthesizer }) });
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  client.send(userText('a long enough sentence to take a while'));
  client.send({ type: 'response.create', event_id: 'evt_first' });
  await client.next('response.created');
  client.send({ type: 'response.create', event_id: 'evt_second' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.code, 'conversation_already_has_active_response');
  assert.equal(error.event_id, 'evt_second');
  assert.equal(((await client.next('response.done')).response as Json).status, 'completed');
});

test('response.cancel ends the response as cancelled, stops speech, and closes the open item', async () => {
  const synthesizer = new ToneSynthesizer(40, 100, 10);
  const server = await startTestServer({ speech: fakeSpeech({ synthesizer }) });
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  client.send(userText('please talk for a long long time so that I can interrupt you. Really long.'));
  client.send({ type: 'response.create' });
  await client.next('response.output_audio.delta');
  client.send({ type: 'response.cancel' });
  const events = await client.until('response.done');
  const response = events.at(-1)!.response as Json;
  assert.equal(response.status, 'cancelled');
  assert.deepEqual(response.status_details, { type: 'cancelled', reason: 'client_cancelled' });
  const itemDone = events.find((event) => event.type === 'response.output_item.done')!.item as Json;
  assert.equal(itemDone.status, 'incomplete');
  const audioSent = events.filter((event) => event.type === 'response.output_audio.delta').length;
  assert.ok(audioSent < 30, `synthesis stopped early (${audioSent} more deltas)`);
  client.send({ type: 'response.cancel', event_id: 'evt_nothing' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.code, 'response_cancel_not_active');
  assert.equal(error.event_id, 'evt_nothing');
});

test('max_output_tokens cuts a response short as incomplete', async () => {
  const server = await startTestServer();
  const client = await textSession(server);
  client.send(userText('one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen'));
  client.send({ type: 'response.create', response: { max_output_tokens: 3 } });
  const response = (await client.next('response.done')).response as Json;
  assert.equal(response.status, 'incomplete');
  assert.deepEqual(response.status_details, { type: 'incomplete', reason: 'max_output_tokens' });
});

test('an engine failure ends the response as failed with the reason', async () => {
  const server = await startTestServer({
    engine: { name: 'broken', reply: async function* () { yield* []; throw new Error('upstream is down'); } },
  });
  const client = await textSession(server);
  client.send(userText('hi'));
  client.send({ type: 'response.create' });
  const response = (await client.next('response.done')).response as Json;
  assert.equal(response.status, 'failed');
  assert.match(JSON.stringify(response.status_details), /upstream is down/);
});

test('response.create overrides instructions, tools, tool_choice and modality for that response only', async () => {
  const seen: Array<{ instructions: string; tools: string[]; toolChoice: string }> = [];
  const engine = {
    name: 'recorder',
    async *reply(request: { instructions: string; tools: readonly { name?: string }[]; toolChoice: string }) {
      seen.push({ instructions: request.instructions, tools: request.tools.map((tool) => tool.name ?? ''), toolChoice: request.toolChoice });
      yield { type: 'text' as const, delta: 'ok' };
    },
  };
  const server = await startTestServer({ engine });
  const client = await textSession(server, { instructions: 'session rules' });
  client.send(userText('hi'));
  client.send({
    type: 'response.create',
    response: {
      instructions: 'just this once', output_modalities: ['audio'], tool_choice: 'required',
      tools: [{ type: 'function', name: 'only_here', parameters: { type: 'object' } }],
    },
  });
  const events = await client.until('response.done');
  assert.ok(types(events).includes('response.output_audio_transcript.delta'), 'audio for this response');
  assert.deepEqual((events.at(-1)!.response as Json).output_modalities, ['audio']);
  client.send({ type: 'response.create' });
  const next = await client.until('response.done');
  assert.ok(types(next).includes('response.output_text.delta'), 'back to the session modality');
  assert.deepEqual(seen, [
    { instructions: 'just this once', tools: ['only_here'], toolChoice: 'required' },
    { instructions: 'session rules', tools: [], toolChoice: 'auto' },
  ]);
});

test('without a voice installed, an audio response still carries its transcript (and no invented audio)', async () => {
  const server = await startTestServer({ speech: fakeSpeech({ synthesizer: undefined }) });
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  client.send(userText('no voice here'));
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  assert.ok(!types(events).includes('response.output_audio.delta'));
  assert.equal(events.find((event) => event.type === 'response.output_audio_transcript.done')!.transcript, 'You said: no voice here');
  assert.equal((events.at(-1)!.response as Json).status, 'completed');
});
