/**
 * Turn detection with the real speech detector (WebRTC VAD) on real speech from espeak-ng,
 * at both wire rates, and the installed recognizer end to end. Times are checked against
 * where the speech really is in the audio.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeUlaw } from '../../src/audio/g711.js';
import { loadSpeechParts } from '../../src/server/speech-parts.js';
import { connectClient, startTestServer } from '../helpers/server-harness.js';
import { FixedTranscriber, silence, spokenPcm } from '../helpers/server-speech.js';
import type { TestClient } from '../helpers/server-client.js';
import { espeakSpeechAt } from '../helpers/speech-audio.js';
import { int16ToBuffer } from '../../src/audio/pcm16.js';
import type { LiveUtterance, StreamingRecognizer } from '../../src/server/speech/streaming-recognizer.js';

const LEAD_MS = 600;
const TAIL_MS = 1200;

async function realServer() {
  const speech = await loadSpeechParts();
  assert.ok(speech.createDetector, 'the WebRTC speech detector loads');
  return startTestServer({ speech: { ...speech, transcriber: new FixedTranscriber('what is the weather like'), recognizer: undefined } });
}

function appendAll(client: TestClient, bytes: Buffer, chunk: number): void {
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    client.send({ type: 'input_audio_buffer.append', audio: bytes.subarray(offset, offset + chunk).toString('base64') });
  }
}

test('real speech in a pcm16 session: speech_started/stopped bracket the words and a response follows', async () => {
  const server = await realServer();
  const { client } = await connectClient(server);
  client.send({
    type: 'session.update',
    session: { type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: { type: 'server_vad', prefix_padding_ms: 300, silence_duration_ms: 500 } } } },
  });
  await client.next('session.updated');
  const speech = spokenPcm('Hello, what is the weather like today?');
  const speechMs = speech.length / 48;
  appendAll(client, Buffer.concat([silence(LEAD_MS), speech, silence(TAIL_MS)]), 4800);
  const started = await client.next('input_audio_buffer.speech_started');
  const stopped = await client.next('input_audio_buffer.speech_stopped');
  assert.ok(Math.abs(Number(started.audio_start_ms) - (LEAD_MS - 300)) <= 200, `start ${started.audio_start_ms}`);
  const expectedEnd = LEAD_MS + speechMs + 500;
  assert.ok(Math.abs(Number(stopped.audio_end_ms) - expectedEnd) <= 400, `end ${stopped.audio_end_ms} vs ${expectedEnd}`);
  await client.next('input_audio_buffer.committed');
  const done = await client.next('response.done');
  assert.equal((done.response as { status: string }).status, 'completed');
  assert.equal(client.events.filter((event) => event.type === 'input_audio_buffer.speech_started').length, 1, 'one turn, not one per word');
});

test('real speech in a G.711 μ-law session is detected at 8 kHz', async () => {
  const server = await realServer();
  const { client } = await connectClient(server);
  client.send({
    type: 'session.update',
    session: { type: 'realtime', output_modalities: ['text'], audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: { type: 'server_vad', create_response: false } } } },
  });
  await client.next('session.updated');
  const speech = spokenPcm('Testing the telephone line.', 8000);
  appendAll(client, encodeUlaw(Buffer.concat([silence(LEAD_MS, 8000), speech, silence(TAIL_MS, 8000)])), 800);
  const started = await client.next('input_audio_buffer.speech_started');
  assert.ok(Math.abs(Number(started.audio_start_ms) - (LEAD_MS - 300)) <= 200, `start ${started.audio_start_ms}`);
  await client.next('input_audio_buffer.speech_stopped');
  await client.next('input_audio_buffer.committed');
});

/** The installed streaming recognizer, with a record of what its utterances were told and found. */
function watched(recognizer: StreamingRecognizer) {
  const log = { pauses: 0, resumes: 0, results: [] as string[] };
  const watching: StreamingRecognizer = {
    close: () => recognizer.close(),
    begin(sampleRate): LiveUtterance {
      const utterance = recognizer.begin(sampleRate);
      return {
        write: (pcm) => utterance.write(pcm),
        pause: () => { log.pauses++; return utterance.pause(); },
        resume: () => { log.resumes++; utterance.resume(); },
        abort: () => utterance.abort(),
        finish: () => utterance.finish().then((words) => { log.results.push(words); return words; }),
      };
    },
  };
  return { watching, log };
}

test('with the installed recognizers, a spoken turn with a pause is recognized as it is spoken and the echo answers with its words', async () => {
  const speech = await loadSpeechParts();
  assert.ok(speech.transcriber, `a recognizer is installed (${speech.transcriberMissing ?? ''})`);
  assert.ok(speech.recognizer, 'streaming recognition is installed (python3-pocketsphinx)');
  after(() => speech.close?.());
  const { watching, log } = watched(speech.recognizer);
  const server = await startTestServer({ speech: { ...speech, recognizer: watching } });
  const { client } = await connectClient(server);
  client.send({
    type: 'session.update',
    session: { type: 'realtime', output_modalities: ['text'], audio: { input: { transcription: { model: 'whisper-1', language: 'en' } } } },
  });
  await client.next('session.updated');
  // espeak-ng ends and starts with silence: with 100 ms more, a pause (after 200 ms) inside the default 500 ms window.
  // The voice pocketsphinx recognizes best (see its tests), so the words checked are not luck.
  const say = (text: string) => int16ToBuffer(espeakSpeechAt(text, 24000, { voice: 'en-us+f5', wordsPerMinute: 160 }));
  const words = Buffer.concat([say('Hello, what is the weather like today?'), silence(100), say('I would like a cup of coffee.')]);
  appendAll(client, Buffer.concat([silence(LEAD_MS), words, silence(TAIL_MS)]), 4800);
  const completed = await client.next('conversation.item.input_audio_transcription.completed', 15000);
  const transcript = String(completed.transcript);
  assert.equal(client.events.filter((event) => event.type === 'input_audio_buffer.speech_started').length, 1, 'one turn');
  assert.deepEqual(log.results, [transcript], 'the transcript is the live utterance\'s');
  assert.ok(log.pauses >= 2 && log.resumes >= 1, `paused ${log.pauses}, resumed ${log.resumes} times`);
  assert.ok(transcript.split(' ').length >= 6, `recognized "${transcript}"`);
  console.log('DEBUG', JSON.stringify(log), transcript);
  console.log(`# recognized live: "${transcript}" (${log.pauses} pauses)`);
  assert.match(transcript, /coffee/, 'the words after the pause are in it');
  const events = await client.until('response.done', 15000);
  const reply = events.filter((event) => event.type === 'response.output_text.delta').map((event) => event.delta).join('');
  assert.equal(reply, `You said: ${transcript}`);
});

test('with the installed voice, the reply is spoken: ≤100 ms audio deltas adding up to real speech', async () => {
  const speech = await loadSpeechParts();
  assert.ok(speech.synthesizer, 'espeak-ng is installed');
  after(() => speech.close?.());
  const server = await startTestServer({ speech });
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', session: { type: 'realtime', audio: { input: { turn_detection: null } } } });
  await client.next('session.updated');
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Good morning. Nice weather today.' }] } });
  client.send({ type: 'response.create' });
  const events = await client.until('response.done', 15000);
  const sizes = events.filter((event) => event.type === 'response.output_audio.delta').map((event) => Buffer.from(String(event.delta), 'base64').length);
  assert.ok(sizes.every((size) => size <= 4800), 'chunks of at most 100 ms');
  const seconds = sizes.reduce((sum, size) => sum + size, 0) / 48000;
  assert.ok(seconds > 1.5 && seconds < 8, `${seconds.toFixed(2)} s of speech for two short sentences`);
});
