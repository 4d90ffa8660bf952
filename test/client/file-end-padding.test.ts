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
  const padding = new FileEndPadding(session as unknown as RealtimeSession, (pcm) => { padded += pcm.length; }, 24000, serverDetectsTurns);
  const server = (type: string) => session.emit('server-event', { type, event_id: `e_${type}`, item_id: 'item_1' });
  return { session, padding, server, paddedMs: () => padded / 48 };
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
  const { session, padding, paddedMs } = setUp();
  padding.start();
  advance(3100);
  assert.equal(paddedMs(), 3000);
  assert.deepEqual([session.commits, session.responses], [1, 1]);
}));

test('speech the server heard and did not close yet is committed after the padding, though an earlier turn was', () => withTimers(() => {
  const { session, padding, server } = setUp();
  server('input_audio_buffer.speech_started');
  server('input_audio_buffer.committed');
  server('input_audio_buffer.speech_started');
  padding.start();
  advance(3100);
  assert.deepEqual([session.commits, session.responses], [1, 1]);
}));

test('a file that ends in silence after the server closed its last turn: no commit of silence alone (no empty turn)', () => withTimers(() => {
  const { session, padding, server, paddedMs } = setUp();
  server('input_audio_buffer.speech_started');
  server('input_audio_buffer.speech_stopped');
  server('input_audio_buffer.committed');
  padding.start();
  advance(3100);
  assert.equal(paddedMs(), 3000, 'the silence still goes, as a microphone would send it');
  assert.deepEqual([session.commits, session.responses], [0, 0]);
}));

test('the server closing the turn during the padding ends it; without turn detection the file is committed at once', () => withTimers(() => {
  const { session, padding, server, paddedMs } = setUp();
  padding.start();
  advance(200);
  server('input_audio_buffer.committed');
  advance(3000);
  assert.ok(paddedMs() <= 220, `${paddedMs()} ms padded`);
  assert.deepEqual([session.commits, session.responses], [0, 0]);
  const manual = setUp(false);
  manual.padding.start();
  assert.deepEqual([manual.session.commits, manual.session.responses], [1, 1]);
}));
