import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeSession } from '../../src/client/session.js';
import { ANSWER_STALLED_MS, AnswerStallWatch } from '../../src/client/answer-stall-watch.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { InMemoryTransport } from '../helpers/in-memory-transport.js';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'Date'] }));
afterEach(() => mock.timers.reset());

const response = (status: string) => ({ id: 'resp_1', object: 'realtime.response', status, output: [], conversation_id: 'conv' });
const delta = (n: number) => ({ type: 'response.output_audio_transcript.delta', event_id: `d${n}`, response_id: 'resp_1', item_id: 'i', output_index: 0, content_index: 0, delta: 'word ' });

test('the watch reports a response silent for the whole limit, once; each sign of life moves the limit on', () => {
  const stalls: number[] = [];
  const watch = new AnswerStallWatch((silentMs) => stalls.push(silentMs), 1000, () => Date.now());
  watch.started();
  mock.timers.tick(900);
  watch.heard();
  mock.timers.tick(999);
  assert.deepEqual(stalls, [], '999 ms after the last sign of life');
  mock.timers.tick(1);
  assert.deepEqual(stalls, [1000]);
  mock.timers.tick(5000);
  assert.deepEqual(stalls, [1000], 'once');
  watch.started();
  watch.ended();
  mock.timers.tick(5000);
  assert.deepEqual(stalls, [1000], 'an ended response is not watched');
});

test('a session whose response begins and then goes silent emits answer-stalled after the limit; one that streams and ends does not', () => {
  const transport = new InMemoryTransport();
  const session = new RealtimeSession(transport, gaDialect);
  const stalls: number[] = [];
  session.on('answer-stalled', (silentMs) => stalls.push(silentMs));
  transport.deliver({ type: 'response.created', event_id: 'e1', response: response('in_progress') });
  for (let n = 0; n < 3; n++) {
    mock.timers.tick(ANSWER_STALLED_MS - 1);
    transport.deliver(delta(n));
  }
  transport.deliver({ type: 'response.done', event_id: 'e2', response: response('completed') });
  mock.timers.tick(ANSWER_STALLED_MS * 3);
  assert.deepEqual(stalls, [], 'every delta within the limit, then done');
  transport.deliver({ type: 'response.created', event_id: 'e3', response: { ...response('in_progress'), id: 'resp_2' } });
  mock.timers.tick(ANSWER_STALLED_MS);
  assert.deepEqual(stalls, [ANSWER_STALLED_MS]);
  void session.close();
});
