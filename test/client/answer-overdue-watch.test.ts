import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeSession } from '../../src/client/session.js';
import { ANSWER_OVERDUE_MS } from '../../src/client/answer-overdue-watch.js';
import { REQUEST_TAG } from '../../src/client/response-ledger.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { InMemoryTransport } from '../helpers/in-memory-transport.js';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

function setUp() {
  const transport = new InMemoryTransport();
  const session = new RealtimeSession(transport, gaDialect);
  const overdue: number[] = [];
  session.on('answer-overdue', (waitedMs) => overdue.push(waitedMs));
  const lastRequest = () => transport.received.filter((event) => event.type === 'response.create').at(-1)!;
  return { transport, session, overdue, lastRequest };
}

test('a server that says nothing of kaiwa\'s request (no response.created, no error) is reported once, after 30 s', () => {
  const { session, overdue } = setUp();
  session.sendText('hello?');
  mock.timers.tick(ANSWER_OVERDUE_MS - 1);
  assert.deepEqual(overdue, []);
  mock.timers.tick(1);
  assert.deepEqual(overdue, [ANSWER_OVERDUE_MS]);
  mock.timers.tick(ANSWER_OVERDUE_MS * 3);
  assert.deepEqual(overdue, [ANSWER_OVERDUE_MS], 'once per request');
});

test('a request the server takes up, or refuses, is never overdue, however long its answer takes', () => {
  const { transport, session, overdue, lastRequest } = setUp();
  session.sendText('a long story, please');
  transport.deliver({ type: 'response.created', event_id: 'e1', response: { id: 'resp_1', object: 'realtime.response', status: 'in_progress', output: [], conversation_id: 'conv', metadata: { [REQUEST_TAG]: lastRequest().event_id } } });
  mock.timers.tick(ANSWER_OVERDUE_MS * 2);
  transport.deliver({ type: 'response.done', event_id: 'e2', response: { id: 'resp_1', object: 'realtime.response', status: 'completed', output: [], conversation_id: 'conv', metadata: { [REQUEST_TAG]: lastRequest().event_id } } });
  session.sendText('and another');
  transport.deliver({ type: 'error', event_id: 'e3', error: { type: 'invalid_request_error', code: 'invalid_value', message: 'no', event_id: lastRequest().event_id } });
  mock.timers.tick(ANSWER_OVERDUE_MS * 2);
  assert.deepEqual(overdue, []);
});

test('a connection that closes meanwhile is the reconnect\'s business, not an overdue answer', async () => {
  const { transport, session, overdue } = setUp();
  session.sendText('hello?');
  await transport.close(1006, '');
  mock.timers.tick(ANSWER_OVERDUE_MS * 2);
  assert.deepEqual(overdue, []);
});
