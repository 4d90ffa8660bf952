import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeUlaw } from '../../src/audio/g711.js';
import { connectClient, startTestServer, types } from '../helpers/server-harness.js';
import { FixedTranscriber, RecordingRecognizer, fakeSpeech, silence, tone } from '../helpers/server-speech.js';
import type { Json, TestClient } from '../helpers/server-client.js';
import { waitFor } from '../helpers/wait-for.js';

async function session(client: TestClient, patch: Record<string, unknown>): Promise<void> {
  client.send({ type: 'session.update', session: { type: 'realtime', ...patch } });
  await client.next('session.updated');
}

function append(client: TestClient, pcm: Buffer, chunkBytes = 4800): void {
  for (let offset = 0; offset < pcm.length; offset += chunkBytes) {
    client.send({ type: 'input_audio_buffer.append', audio: pcm.subarray(offset, offset + chunkBytes).toString('base64') });
  }
}

test('a manual commit turns buffered audio into a user item and transcribes it when asked', async () => {
  const transcriber = new FixedTranscriber('what time is it');
  const server = await startTestServer({ speech: fakeSpeech({ transcriber }) });
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: null, transcription: { model: 'gpt-4o-mini-transcribe' } } } });
  append(client, tone(1000));
  client.send({ type: 'input_audio_buffer.commit' });
  const committed = await client.next('input_audio_buffer.committed');
  const added = await client.next('conversation.item.added');
  assert.equal((added.item as Json).id, committed.item_id);
  assert.deepEqual((added.item as Json).content, [{ type: 'input_audio', transcript: null }]);
  const completed = await client.next('conversation.item.input_audio_transcription.completed');
  assert.equal(completed.item_id, committed.item_id);
  assert.equal(completed.transcript, 'what time is it');
  assert.equal(completed.content_index, 0);
  assert.deepEqual((completed.usage as Json).input_token_details, { text_tokens: 0, audio_tokens: 10 });
  assert.deepEqual(transcriber.calls, [{ bytes: 48000, sampleRate: 24000 }]);
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  const text = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
  assert.equal(text, 'You said: what time is it');
  const usage = (events.at(-1)!.response as Json).usage as { input_token_details: Json };
  assert.equal(usage.input_token_details.audio_tokens, 10);
});

test('committing less than 100 ms of audio is input_audio_buffer_commit_empty', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  await session(client, { audio: { input: { turn_detection: null } } });
  client.send({ type: 'input_audio_buffer.commit', event_id: 'evt_commit' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.code, 'input_audio_buffer_commit_empty');
  assert.equal(error.event_id, 'evt_commit');
  append(client, tone(50));
  client.send({ type: 'input_audio_buffer.commit' });
  assert.equal(((await client.next('error')).error as Json).code, 'input_audio_buffer_commit_empty');
});

test('clear empties the buffer', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  await session(client, { audio: { input: { turn_detection: null } } });
  append(client, tone(500));
  client.send({ type: 'input_audio_buffer.clear' });
  await client.next('input_audio_buffer.cleared');
  client.send({ type: 'input_audio_buffer.commit' });
  assert.equal(((await client.next('error')).error as Json).code, 'input_audio_buffer_commit_empty');
});

test('input transcription fails clearly when no recognizer is installed, and the reply says so', async () => {
  const server = await startTestServer({ speech: fakeSpeech({ transcriber: undefined, transcriberMissing: 'no recognizer on this test machine' }) });
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: null, transcription: { model: 'whisper-1' } } } });
  append(client, tone(300));
  client.send({ type: 'input_audio_buffer.commit' });
  const failed = await client.next('conversation.item.input_audio_transcription.failed');
  assert.equal((failed.error as Json).code, 'transcriber_unavailable');
  assert.match(String((failed.error as Json).message), /no recognizer on this test machine/);
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  const text = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
  assert.match(text, /0\.3 s of speech that this server could not transcribe/);
});

test('server VAD reports speech with padding, commits the turn and answers it', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  await session(client, {
    output_modalities: ['text'],
    audio: { input: { turn_detection: { type: 'server_vad', prefix_padding_ms: 200, silence_duration_ms: 300 } } },
  });
  append(client, Buffer.concat([silence(600), tone(800), silence(600)]));
  const started = await client.next('input_audio_buffer.speech_started');
  assert.equal(started.audio_start_ms, 400);
  const stopped = await client.next('input_audio_buffer.speech_stopped');
  assert.equal(stopped.audio_end_ms, 1700);
  assert.equal(stopped.item_id, started.item_id);
  const committed = await client.next('input_audio_buffer.committed');
  assert.equal(committed.item_id, started.item_id);
  await client.next('conversation.item.added');
  const response = await client.until('response.done');
  assert.ok(types(response).includes('response.created'));
  client.send({ type: 'conversation.item.retrieve', item_id: started.item_id });
  const item = (await client.next('conversation.item.retrieved')).item as { content: Json[] };
  const audioMs = Buffer.from(String(item.content[0]!.audio), 'base64').length / 48;
  assert.equal(Math.round(audioMs), 1300);
});

test('VAD times count from the first audio of the session across turns', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  await session(client, {
    output_modalities: ['text'],
    audio: { input: { turn_detection: { type: 'server_vad', prefix_padding_ms: 0, silence_duration_ms: 200, create_response: false } } },
  });
  append(client, Buffer.concat([silence(1000), tone(500), silence(500), tone(300), silence(400)]));
  const first = await client.next('input_audio_buffer.speech_started');
  const firstStop = await client.next('input_audio_buffer.speech_stopped');
  const second = await client.next('input_audio_buffer.speech_started');
  const secondStop = await client.next('input_audio_buffer.speech_stopped');
  assert.deepEqual([first.audio_start_ms, firstStop.audio_end_ms, second.audio_start_ms, secondStop.audio_end_ms], [1000, 1700, 2000, 2500]);
  assert.ok(!client.events.some((event) => event.type === 'response.created'), 'create_response false');
});

test('speech during a response interrupts it when interrupt_response is on', async () => {
  const { ToneSynthesizer } = await import('../helpers/server-speech.js');
  const server = await startTestServer({ speech: fakeSpeech({ synthesizer: new ToneSynthesizer(40, 100, 10) }) });
  const { client } = await connectClient(server);
  await session(client, { audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } } });
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'tell me a very long story about everything you know' }] } });
  client.send({ type: 'response.create' });
  await client.next('response.output_audio.delta');
  append(client, Buffer.concat([tone(400), silence(300)]));
  await client.next('input_audio_buffer.speech_started');
  const cancelled = await client.next('response.done');
  assert.deepEqual((cancelled.response as Json).status_details, { type: 'cancelled', reason: 'turn_detected' });
  const next = await client.next('response.done', 10000);
  assert.equal((next.response as Json).status, 'completed');
});

test('semantic_vad is accepted and detects turns with its eagerness silence', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  await session(client, {
    output_modalities: ['text'],
    audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high', create_response: false } } },
  });
  append(client, Buffer.concat([silence(500), tone(500), silence(600)]));
  await client.next('input_audio_buffer.speech_started');
  const stopped = await client.next('input_audio_buffer.speech_stopped');
  assert.equal(stopped.audio_end_ms, 1000 + 400);
});

test('a G.711 μ-law session takes and gives 8 kHz audio', async () => {
  const transcriber = new FixedTranscriber('telephone');
  const server = await startTestServer({ speech: fakeSpeech({ transcriber }) });
  const { client } = await connectClient(server);
  await session(client, {
    audio: {
      input: { format: { type: 'audio/pcmu' }, turn_detection: null, transcription: { model: 'whisper-1' } },
      output: { format: { type: 'audio/pcmu' } },
    },
  });
  const ulaw = encodeUlaw(tone(500, 8000));
  client.send({ type: 'input_audio_buffer.append', audio: ulaw.toString('base64') });
  client.send({ type: 'input_audio_buffer.commit' });
  const completed = await client.next('conversation.item.input_audio_transcription.completed');
  assert.deepEqual(completed.usage, { type: 'duration', seconds: 0.5 });
  assert.deepEqual(transcriber.calls, [{ bytes: 8000, sampleRate: 8000 }]);
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  const deltas = events.filter((event) => event.type === 'response.output_audio.delta').map((event) => Buffer.from(String(event.delta), 'base64').length);
  assert.ok(deltas.length > 0 && deltas.every((size) => size <= 800), `μ-law chunks of ≤100 ms: ${deltas.join(',')}`);
  const response = events.at(-1)!.response as { audio: { output: Json } };
  assert.deepEqual(response.audio.output.format, { type: 'audio/pcmu' });
});

test('appended audio must be base64', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  client.send({ type: 'input_audio_buffer.append', audio: 'not base64 at all!' });
  const error = (await client.next('error')).error as Json;
  assert.equal(error.param, 'audio');
});

test('server VAD idle_timeout_ms prompts a silent user after the reply', async () => {
  const server = await startTestServer();
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 5000 } } } });
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] } });
  client.send({ type: 'response.create' });
  await client.next('response.done');
  const started = Date.now();
  const timeout = await client.next('input_audio_buffer.timeout_triggered', 8000);
  assert.ok(Date.now() - started >= 4500, 'not before the timeout');
  assert.equal(typeof timeout.item_id, 'string');
  const events = await client.until('response.done');
  assert.equal(events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join(''), 'Are you still there?');
});

const LIVE_TURN = { type: 'server_vad', prefix_padding_ms: 200, silence_duration_ms: 500 };

test('a streaming recognizer follows a VAD turn from its padded start through its pauses, and its words are the transcript', async () => {
  const transcriber = new FixedTranscriber('batch words');
  const recognizer = new RecordingRecognizer('live words');
  const server = await startTestServer({ speech: fakeSpeech({ transcriber, recognizer }) });
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: LIVE_TURN, transcription: { model: 'whisper-1' } } } });
  // Silence 500 ms → a pause after 200 ms: the 300 ms gap pauses and resumes, the end pauses and stops.
  append(client, Buffer.concat([silence(600), tone(400), silence(300), tone(400), silence(800)]));
  const committed = await client.next('input_audio_buffer.committed');
  const completed = await client.next('conversation.item.input_audio_transcription.completed');
  assert.equal(completed.item_id, committed.item_id);
  assert.equal(completed.transcript, 'live words');
  const events = await client.until('response.done');
  const text = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
  assert.equal(text, 'You said: live words');
  assert.deepEqual(transcriber.calls, [], 'no second recognition of the turn');
  assert.equal(recognizer.utterances.length, 1);
  const [utterance] = recognizer.utterances;
  assert.deepEqual(utterance!.log, ['write', 'pause', 'write', 'resume', 'write', 'pause', 'write', 'finish']);
  assert.equal(utterance!.sampleRate, 24000);
  client.send({ type: 'conversation.item.retrieve', item_id: committed.item_id });
  const item = (await client.next('conversation.item.retrieved')).item as { content: Json[] };
  const itemBytes = Buffer.from(String(item.content[0]!.audio), 'base64').length;
  // Everything the item holds reached the recognizer, padding included; at most a chunk more.
  assert.ok(utterance!.bytes >= itemBytes && utterance!.bytes <= itemBytes + 4800, `${utterance!.bytes} bytes recognized for an item of ${itemBytes}`);
});

test('a turn whose live recognition failed is recognized again from its audio', async () => {
  const transcriber = new FixedTranscriber('batch words');
  const recognizer = new RecordingRecognizer(new Error('recognizer died'));
  const server = await startTestServer({ speech: fakeSpeech({ transcriber, recognizer }) });
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: LIVE_TURN, transcription: { model: 'whisper-1' } } } });
  append(client, Buffer.concat([silence(600), tone(600), silence(800)]));
  const completed = await client.next('conversation.item.input_audio_transcription.completed');
  assert.equal(completed.transcript, 'batch words');
  assert.equal(transcriber.calls.length, 1);
  assert.deepEqual(recognizer.utterances[0]!.log.slice(-1), ['finish']);
});

test('clearing the buffer abandons the live utterance; committing by hand finishes it', async () => {
  const recognizer = new RecordingRecognizer();
  const server = await startTestServer({ speech: fakeSpeech({ recognizer }) });
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: { ...LIVE_TURN, create_response: false } } } });
  append(client, Buffer.concat([silence(600), tone(300)]));
  await client.next('input_audio_buffer.speech_started');
  client.send({ type: 'input_audio_buffer.clear' });
  await client.next('input_audio_buffer.cleared');
  append(client, Buffer.concat([silence(300), tone(300)]));
  await client.next('input_audio_buffer.speech_started');
  client.send({ type: 'input_audio_buffer.commit' });
  await client.next('input_audio_buffer.committed');
  assert.deepEqual(recognizer.utterances.map((utterance) => utterance.log.at(-1)), ['abort', 'finish']);
});

test('a commit by hand takes its words from the live utterance, which followed the speech as it came', async () => {
  const transcriber = new FixedTranscriber('batch words');
  const recognizer = new RecordingRecognizer('live words');
  const server = await startTestServer({ speech: fakeSpeech({ transcriber, recognizer }) });
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: { ...LIVE_TURN, create_response: false }, transcription: { model: 'whisper-1' } } } });
  append(client, Buffer.concat([silence(600), tone(400)]));
  await client.next('input_audio_buffer.speech_started');
  client.send({ type: 'input_audio_buffer.commit' });
  const completed = await client.next('conversation.item.input_audio_transcription.completed');
  assert.equal(completed.transcript, 'live words');
  assert.deepEqual(transcriber.calls, [], 'no second recognition of the turn');
});

test('without turn detection the live utterance follows the whole buffer, cut at the pauses, and a commit takes its words', async () => {
  const transcriber = new FixedTranscriber('batch words');
  const recognizer = new RecordingRecognizer('live words');
  const server = await startTestServer({ speech: fakeSpeech({ transcriber, recognizer }) });
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: null, transcription: { model: 'whisper-1' } } } });
  const audio = Buffer.concat([silence(300), tone(400), silence(700), tone(400), silence(100)]);
  append(client, audio);
  client.send({ type: 'input_audio_buffer.commit' });
  const completed = await client.next('conversation.item.input_audio_transcription.completed');
  assert.equal(completed.transcript, 'live words');
  assert.deepEqual(transcriber.calls, [], 'no batch recognition');
  const [utterance] = recognizer.utterances;
  assert.equal(recognizer.utterances.length, 1);
  assert.equal(utterance!.bytes, audio.length, 'every byte of the buffer, once');
  assert.ok(utterance!.log.includes('pause') && utterance!.log.includes('resume'), `cut at the gap: ${utterance!.log.join(', ')}`);
  assert.equal(utterance!.log.at(-1), 'finish');
  append(client, tone(300));
  client.send({ type: 'input_audio_buffer.clear' });
  await client.next('input_audio_buffer.cleared');
  assert.deepEqual(recognizer.utterances.map((u) => u.log.at(-1)), ['finish', 'abort'], 'the next buffer is a new utterance, abandoned when cleared');
});

/**
 * Sends speech and 200 ms of silence (a semantic_vad pause comes after 100 ms), waits until
 * the recognizer was asked for the words of the pause, then the rest of the silence: the
 * judgment is in before the audio that could end the turn arrives, however busy the machine.
 */
async function semanticTurnEnd(recognizer: RecordingRecognizer | undefined): Promise<number> {
  const server = await startTestServer({ speech: fakeSpeech(recognizer ? { recognizer } : {}) });
  const { client } = await connectClient(server);
  await session(client, { output_modalities: ['text'], audio: { input: { turn_detection: { type: 'semantic_vad', create_response: false } } } });
  append(client, Buffer.concat([silence(600), tone(700), silence(200)]), 960);
  await client.next('input_audio_buffer.speech_started');
  if (recognizer) await waitFor(() => recognizer.utterances[0]?.log.includes('pause'), { what: 'the recognizer to be asked about the pause', everyMs: 5 });
  append(client, silence(1000), 960);
  const stopped = await client.next('input_audio_buffer.speech_stopped');
  await client.next('input_audio_buffer.committed');
  return Number(stopped.audio_end_ms) - 1300; // ms of silence after the speech
}

test('semantic_vad ends a turn whose words sound finished after a short settle, and waits out eagerness for unfinished ones', async () => {
  const finished = await semanticTurnEnd(new RecordingRecognizer('what time is it'));
  const unfinished = await semanticTurnEnd(new RecordingRecognizer('i would like to'));
  const unknown = await semanticTurnEnd(undefined);
  // auto: 250 ms settle for finished words; 800 ms of silence otherwise.
  assert.ok(finished >= 250 && finished <= 270, `finished words: turn ended ${finished} ms after the speech`);
  assert.equal(unfinished, 800);
  assert.equal(unknown, 800);
});
