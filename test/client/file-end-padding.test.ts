import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { FileEndPadding } from '../../src/client/file-end-padding.js';
import type { RealtimeSession } from '../../src/client/session.js';

function setUp(serverDetectsTurns = true) {
  const session = Object.assign(new EventEmitter(), {
    commits: 0, responses: 0,
    commitAudio() { this.commits += 1; },
    createResponse() { this.responses += 1; },
  });
  let padded = 0;
  let finished = 0;
  const padding = new FileEndPadding(session as unknown as RealtimeSession, (pcm) => { padded += pcm.length; }, 24000, serverDetectsTurns, () => { finished += 1; });
  const server = (...types: string[]) => { for (const type of types) session.emit('server-event', { type, event_id: `e_${type}`, item_id: 'item_1' }); };
  return { session, padding, server, paddedMs: () => padded / 48, finished: () => finished };
}

/** Node 20's mock timers run a timeout set during a tick only at the next tick: in steps of the padding's 20 ms. */
function advance(ms: number): void {
  for (let t = 0; t < ms; t += 20) mock.timers.tick(20);
}

function withTimers(run: () => void): void {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    run();
  } finally {
    mock.timers.reset();
  }
}

test('a file the server heard no turn in: 3 s of silence after it, then kaiwa commits and asks for the answer itself', () => withTimers(() => {
  const { session, padding, paddedMs, finished } = setUp();
  padding.start();
  advance(3100);
  assert.equal(paddedMs(), 3000);
  assert.deepEqual([session.commits, session.responses, finished()], [1, 1, 1]);
}));

test('speech the server heard and did not close yet is committed after the padding, though an earlier turn was', () => withTimers(() => {
  const { session, padding, server, finished } = setUp();
  server('input_audio_buffer.speech_started', 'input_audio_buffer.committed', 'response.created', 'input_audio_buffer.speech_started');
  padding.start();
  advance(2900);
  assert.deepEqual([session.commits, finished()], [0, 0], 'the answer to the earlier turn does not end the file');
  advance(200);
  assert.deepEqual([session.commits, session.responses, finished()], [1, 1, 1]);
}));

test('a file that ends in silence after the server closed and answered its last turn: a second of silence, no commit of silence alone (no empty turn)', () => withTimers(() => {
  const { session, padding, server, paddedMs, finished } = setUp();
  server('input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed', 'response.created');
  padding.start();
  advance(3100);
  assert.equal(paddedMs(), 1000, 'a second of silence, as a microphone would send it, in which late speech would show');
  assert.deepEqual([session.commits, session.responses, finished()], [0, 0, 1]);
}));

test('the server closing and answering the turn during the padding ends it; a commit not answered (yet) does not', () => withTimers(() => {
  const { session, padding, server, paddedMs, finished } = setUp();
  padding.start();
  advance(400);
  server('input_audio_buffer.committed');
  advance(1000);
  assert.equal(finished(), 0, 'committed, but its response is not there yet');
  server('response.created');
  advance(3000);
  assert.ok(paddedMs() >= 1000 && paddedMs() <= 1440, `${paddedMs()} ms padded`);
  assert.deepEqual([session.commits, session.responses, finished()], [0, 0, 1]);
}));

test('without turn detection the file is committed and answered at once', () => {
  const { session, padding, finished } = setUp(false);
  padding.start();
  assert.deepEqual([session.commits, session.responses, finished()], [1, 1, 1]);
});

test('a last turn the server closed but never answers: after 3 s no commit of the silence since, and the file is done', () => withTimers(() => {
  const { session, padding, server, finished } = setUp();
  server('input_audio_buffer.speech_started', 'input_audio_buffer.committed');
  padding.start();
  advance(3100);
  assert.deepEqual([session.commits, session.responses, finished()], [0, 0, 1]);
}));
