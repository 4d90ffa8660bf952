/**
 * The transcription session's bookkeeping over an in-memory transport: captions in commit
 * order, the `.completed` transcript over the deltas, and the final commit (its empty-buffer
 * error expected, a VAD turn racing it not mistaken for its answer, a silent server given up on).
 */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { RealtimeSession } from '../../src/client/session.js';
import { TranscriptionSession, transcriptionSessionConfig, type FinishOutcome } from '../../src/client/transcription-session.js';
import type { FinishedCaption } from '../../src/client/caption-track.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import type { ListeningTransport } from '../../src/protocol/transport.js';

type Json = Record<string, unknown>;

class MemoryTransport extends EventEmitter implements ListeningTransport {
  readonly sent: Json[] = [];
  isOpen = true;
  bufferedAmount = 0;
  send(text: string): void { this.sent.push(JSON.parse(text) as Json); }
  async close(): Promise<void> { this.isOpen = false; }
  serve(event: Json): void { this.emit('message', JSON.stringify({ event_id: 'e', ...event })); }
}

function setUp() {
  const transport = new MemoryTransport();
  const transcription = new TranscriptionSession(new RealtimeSession(transport, gaDialect));
  const lines: FinishedCaption[] = [];
  const partials: string[] = [];
  const problems: string[] = [];
  transcription.on('line', (caption) => lines.push(caption));
  transcription.on('partial', (text) => partials.push(text));
  transcription.on('problem', (error) => problems.push(String(error.code)));
  return { transport, transcription, lines, partials, problems };
}

const committed = (id: string) => ({ type: 'input_audio_buffer.committed', item_id: id, previous_item_id: null });
const delta = (id: string, text: string) => ({ type: 'conversation.item.input_audio_transcription.delta', item_id: id, content_index: 0, delta: text });
const completed = (id: string, transcript: string) => ({ type: 'conversation.item.input_audio_transcription.completed', item_id: id, content_index: 0, transcript, usage: { type: 'duration', seconds: 1 } });

test('the session.update holds type and audio.input only', () => {
  assert.deepEqual(transcriptionSessionConfig({ model: 'gpt-live-transcribe', languages: ['ja'], prompt: 'kaiwa', turnDetection: null, noiseReduction: 'far_field' }), {
    type: 'transcription',
    audio: { input: { transcription: { model: 'gpt-live-transcribe', language: 'ja', prompt: 'kaiwa' }, turn_detection: null, noise_reduction: { type: 'far_field' } } },
  });
  const several = transcriptionSessionConfig({ model: 'gpt-live-transcribe', languages: ['ja', 'en'], turnDetection: { type: 'semantic_vad' } });
  assert.deepEqual(several.audio?.input?.transcription, { model: 'gpt-live-transcribe', languages: ['ja', 'en'] });
});

test('deltas are a preview, the completed transcript is the line; lines come in commit order', () => {
  const { transport, lines, partials } = setUp();
  transport.serve(committed('a'));
  transport.serve(delta('a', 'helo'));
  transport.serve(committed('b'));
  transport.serve(delta('b', 'sec'));
  transport.serve(completed('b', 'Second.'));
  assert.equal(lines.length, 0, 'b waits for a');
  assert.equal(partials.at(-1), 'helo Second.');
  transport.serve(completed('a', 'Hello there.'));
  assert.deepEqual(lines.map((line) => line.transcript), ['Hello there.', 'Second.']);
  assert.equal(partials.at(-1), '');
  transport.serve(delta('a', 'late'));
  assert.equal(partials.at(-1), '', 'a late delta does not reopen a finished line');
});

test('finish: the empty final commit is answered with an error that is no problem', async () => {
  const { transport, transcription, problems } = setUp();
  const outcome = transcription.finish(5000);
  const commit = transport.sent.at(-1)!;
  assert.equal(commit.type, 'input_audio_buffer.commit');
  transport.serve({ type: 'error', error: { type: 'invalid_request_error', code: 'input_audio_buffer_commit_empty', message: 'buffer too small', param: null, event_id: commit.event_id } });
  assert.equal(await outcome, 'done');
  assert.deepEqual(problems, []);
});

test('finish waits for the final commit\'s own turn, not a VAD turn that raced it', async () => {
  const { transport, transcription, lines } = setUp();
  let outcome: FinishOutcome | undefined;
  const finishing = transcription.finish(5000).then((result) => { outcome = result; });
  transport.serve({ type: 'input_audio_buffer.speech_stopped', item_id: 'vad', audio_end_ms: 900 });
  transport.serve(committed('vad'));
  transport.serve(completed('vad', 'Said before the end.'));
  await Promise.resolve();
  assert.equal(outcome, undefined, 'the final commit has not been answered yet');
  transport.serve(committed('last'));
  transport.serve(completed('last', 'The last words.'));
  await finishing;
  assert.equal(outcome, 'done');
  assert.deepEqual(lines.map((line) => line.transcript), ['Said before the end.', 'The last words.']);
});

test('finish gives up when nothing arrives for the quiet period, and says how many turns are missing', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { transport, transcription } = setUp();
    const outcome = transcription.finish(15_000);
    transport.serve(committed('last'));
    mock.timers.tick(14_999);
    transport.serve(delta('last', 'still'));
    mock.timers.tick(14_999);
    assert.equal(transcription.unsettled, 1);
    mock.timers.tick(1);
    assert.equal(await outcome, 'timed-out');
  } finally {
    mock.timers.reset();
  }
});

test('an error about the session.update is reported as being about the configuration', () => {
  const { transport, transcription } = setUp();
  const seen: boolean[] = [];
  transcription.on('problem', (_error, aboutConfiguration) => seen.push(aboutConfiguration));
  transcription.configure({ model: 'nope', turnDetection: null });
  const update = transport.sent.at(-1)!;
  transport.serve({ type: 'error', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'bad model', param: null, event_id: update.event_id } });
  transport.serve({ type: 'error', error: { type: 'invalid_request_error', code: 'rate_limit_exceeded', message: 'slow down', param: null, event_id: null } });
  assert.deepEqual(seen, [true, false]);
});

test('turns the lost connection leaves without a transcript end as failures in their place; the turns after them still come in order', () => {
  const { transport, transcription, lines } = setUp();
  transport.serve(committed('a'));
  transport.serve(completed('a', 'First.'));
  transport.serve(committed('b'));
  transport.serve(delta('b', 'half'));
  transport.serve(committed('c'));
  assert.equal(transcription.connectionLost(), 2);
  assert.deepEqual(lines.map((line) => [line.transcript, line.failure]), [['First.', undefined], ['', 'lost with the connection'], ['', 'lost with the connection']]);
  assert.equal(transcription.unsettled, 0, 'nothing left to wait for at the end');
  transport.serve(committed('d'));
  transport.serve(completed('d', 'After the reconnect.'));
  assert.deepEqual(lines.at(-1)?.transcript, 'After the reconnect.');
});
