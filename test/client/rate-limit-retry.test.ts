import { test, beforeEach, afterEach, mock } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeSession } from '../../src/client/session.js';
import { REQUEST_TAG } from '../../src/client/response-ledger.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { InMemoryTransport, type WireJson } from '../helpers/in-memory-transport.js';

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

const RATE_LIMITED = { type: 'failed', error: { type: 'tokens', code: 'rate_limit_exceeded', message: 'Rate limit reached for gpt-realtime on tokens per min (TPM). Please try again in 1.8s.' } };

function setUp() {
  const transport = new InMemoryTransport();
  const session = new RealtimeSession(transport, gaDialect);
  const waits: number[] = [];
  session.on('asking-again', (waitMs) => waits.push(waitMs));
  const requests = (): WireJson[] => transport.received.filter((event) => event.type === 'response.create');
  let counter = 0;
  /** The service answers kaiwa's last request: created, then done with this status. */
  const answer = (status: string, statusDetails: object | null = null): void => {
    const request = requests().at(-1)!;
    const response = { id: `resp_${++counter}`, object: 'realtime.response', output: [], conversation_id: 'conv', metadata: { [REQUEST_TAG]: request.event_id } };
    transport.deliver({ type: 'response.created', event_id: 'e', response: { ...response, status: 'in_progress', status_details: null } });
    transport.deliver({ type: 'response.done', event_id: 'e', response: { ...response, status, status_details: statusDetails } });
  };
  const typedIn = (request: WireJson | undefined): string | undefined => {
    const index = transport.received.indexOf(request!);
    const before = transport.received[index - 1] as { type: string; item?: { content?: Array<{ text?: string }> } } | undefined;
    return before?.type === 'conversation.item.create' ? before.item?.content?.[0]?.text : undefined;
  };
  return { transport, session, waits, requests, answer, typedIn };
}

test('a rate-limited answer is asked for again after the wait the service names, ahead of the line queued behind it', () => {
  const { session, waits, requests, answer, typedIn } = setUp();
  session.sendText('first');
  session.sendText('second');
  answer('failed', RATE_LIMITED);
  assert.deepEqual(waits, [1800]);
  assert.equal(session.waitingToAskAgain, true);
  assert.equal(session.responsesOutstanding, true, 'a run waiting for it is not over');
  mock.timers.tick(1799);
  assert.equal(requests().length, 1, 'not before the wait, and the queued line waits too');
  mock.timers.tick(1);
  assert.equal(requests().length, 2);
  assert.equal(typedIn(requests()[1]), undefined, 'the retry carries nothing new: the words are in the conversation');
  answer('completed');
  assert.equal(requests().length, 3);
  assert.equal(typedIn(requests()[2]), 'second');
});

test('the retry\'s own failure is final: the queue goes on at once, and a later answer has its own retry', () => {
  const { session, waits, requests, answer } = setUp();
  session.sendText('first');
  session.sendText('second');
  answer('failed', RATE_LIMITED);
  mock.timers.tick(1800);
  answer('failed', RATE_LIMITED);
  assert.deepEqual(waits, [1800]);
  assert.equal(session.waitingToAskAgain, false);
  assert.equal(requests().length, 3, 'the second line asked at once');
  answer('failed', RATE_LIMITED);
  assert.deepEqual(waits, [1800, 1800]);
});

test('failures that are no rate limit, and waits too long to hold the user, are not retried', () => {
  const { session, waits, answer } = setUp();
  session.sendText('first');
  answer('failed', { type: 'failed', error: { type: 'server_error', code: 'server_error', message: 'Please try again in 1s.' } });
  session.sendText('second');
  answer('failed', { ...RATE_LIMITED, error: { ...RATE_LIMITED.error, message: 'Please try again in 45s.' } });
  assert.deepEqual(waits, []);
  assert.equal(session.responsesOutstanding, false);
});

test('the user speaking while the retry waits drops it, and what waited behind it goes on', () => {
  const { transport, session, requests, answer, typedIn } = setUp();
  session.sendText('first');
  session.sendText('second');
  answer('failed', RATE_LIMITED);
  transport.deliver({ type: 'input_audio_buffer.speech_started', event_id: 'e', audio_start_ms: 0, item_id: 'item_1' });
  assert.equal(session.waitingToAskAgain, false);
  assert.equal(typedIn(requests()[1]), 'second');
  mock.timers.tick(5000);
  assert.equal(requests().length, 2, 'no retry after all');
});

test('a connection lost while the retry waits asks for that answer on the new one, once', () => {
  const { session, answer } = setUp();
  session.sendText('first');
  answer('failed', RATE_LIMITED);
  const next = new InMemoryTransport();
  session.resume(next, { type: 'realtime' }, []);
  const requestsOnNext = () => next.received.filter((event) => event.type === 'response.create').length;
  assert.equal(session.waitingToAskAgain, false);
  assert.equal(requestsOnNext(), 1);
  mock.timers.tick(5000);
  assert.equal(requestsOnNext(), 1, 'not asked again by the timer');
});
