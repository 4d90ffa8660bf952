import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeSession } from '../../src/client/session.js';
import { TurnAnswerWatch } from '../../src/client/turn-answer-watch.js';
import { ANSWER_OVERDUE_MS } from '../../src/client/answer-overdue-watch.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { InMemoryTransport } from '../helpers/in-memory-transport.js';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

type Wire = { type: string; response?: { id: string } };

function setUp() {
  const transport = new InMemoryTransport();
  const session = new RealtimeSession(transport, gaDialect);
  const overdue: number[] = [];
  const watch = new TurnAnswerWatch(session, (waitedMs) => overdue.push(waitedMs));
  const deliver = (events: object[]): void => events.forEach((event) => transport.deliver(event));
  return { transport, session, watch, overdue, deliver };
}

/** A voice turn, split where what the server heard ends (speech_started … item.done) and its answer begins. */
function turn(text = 'Hello?') {
  const events = gaVoiceTurn({ userTranscript: text, assistantTranscript: `You said: ${text}`, audioChunks: [] }) as Wire[];
  const start = events.findIndex((event) => event.type === 'response.created');
  const heard = events.slice(0, start);
  return {
    started: heard.filter((event) => event.type === 'input_audio_buffer.speech_started'),
    stopped: heard.filter((event) => event.type !== 'input_audio_buffer.speech_started'),
    heard, created: [events[start]!], rest: events.slice(start + 1), answer: events.slice(start),
  };
}

function sessionUpdated(turnDetection: object | null): object {
  return {
    type: 'session.updated', event_id: 'event_session',
    session: { type: 'realtime', object: 'realtime.session', id: 'sess_1', model: 'gpt-realtime', audio: { input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: turnDetection } } },
  };
}

test('a turn the server\'s VAD closed is owed its answer until a response of the conversation begins', () => {
  const { watch, deliver } = setUp();
  const first = turn();
  deliver(first.started);
  assert.equal(watch.owed, false, 'the user is still talking');
  deliver(first.stopped);
  assert.equal(watch.owed, true, 'speech_stopped: the turn is over, its answer not begun');
  deliver(first.created);
  assert.equal(watch.owed, false, 'its answer began');
  deliver(first.rest);
  assert.equal(watch.owed, false);
});

test('a response out of band (conversation_id null) is not the answer to the user\'s turn', () => {
  const { watch, deliver } = setUp();
  deliver(turn().heard);
  deliver([{ type: 'response.created', event_id: 'event_oob', response: { object: 'realtime.response', id: 'resp_oob', status: 'in_progress', output: [], conversation_id: null, metadata: { topic: 'classify' } } }]);
  assert.equal(watch.owed, true);
});

test('the user speaking again before the answer began: the turn is not over (owed again when it is)', () => {
  const { watch, deliver } = setUp();
  const first = turn();
  deliver(first.heard);
  deliver(first.started);
  assert.equal(watch.owed, false);
  deliver(first.stopped);
  assert.equal(watch.owed, true);
});

test('a server that does not answer turns by itself (create_response false, or no turn detection) owes nothing', () => {
  for (const detection of [{ type: 'server_vad', create_response: false }, null]) {
    const { watch, deliver } = setUp();
    deliver([sessionUpdated(detection)]);
    deliver(turn().heard);
    assert.equal(watch.owed, false, JSON.stringify(detection));
  }
});

test('interrupt_response false: a turn closed while an answer is under way gets no answer of its own; one closed after it does', () => {
  const { watch, deliver } = setUp();
  deliver([sessionUpdated({ type: 'server_vad', create_response: true, interrupt_response: false })]);
  const first = turn('first');
  const second = turn('second');
  deliver(first.heard);
  deliver(first.created);
  deliver(second.heard);
  assert.equal(watch.owed, false, 'the server lets the reply finish and answers nothing more');
  deliver(first.rest);
  const third = turn('third');
  deliver(third.heard);
  assert.equal(watch.owed, true);
});

test('with interrupt_response (the default) a turn closed while an answer is under way is owed the next one', () => {
  const { watch, deliver } = setUp();
  const first = turn('first');
  deliver(first.heard);
  deliver(first.created);
  deliver(turn('second').heard);
  assert.equal(watch.owed, true);
});

test('a server that says nothing of an owed answer for 30 s is reported once; one that begins it, or a closed connection, never is', async () => {
  const silent = setUp();
  silent.deliver(turn().heard);
  mock.timers.tick(ANSWER_OVERDUE_MS - 1);
  assert.deepEqual(silent.overdue, []);
  mock.timers.tick(1);
  assert.deepEqual(silent.overdue, [ANSWER_OVERDUE_MS]);
  mock.timers.tick(ANSWER_OVERDUE_MS * 3);
  assert.deepEqual(silent.overdue, [ANSWER_OVERDUE_MS], 'once per turn');

  const answering = setUp();
  const answered = turn();
  answering.deliver(answered.heard);
  mock.timers.tick(ANSWER_OVERDUE_MS - 1);
  answering.deliver(answered.created);
  mock.timers.tick(ANSWER_OVERDUE_MS * 2);
  assert.deepEqual(answering.overdue, []);

  const lost = setUp();
  lost.deliver(turn().heard);
  await lost.transport.close(1006, '');
  assert.equal(lost.watch.owed, false, 'the connection that owed it is gone');
  mock.timers.tick(ANSWER_OVERDUE_MS * 2);
  assert.deepEqual(lost.overdue, []);
});
