import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REQUEST_TAG, ResponseLedger } from '../../src/client/response-ledger.js';
import type { Response } from '../../src/protocol/events.js';

const response = (id: string, extra: Partial<Response> = {}): Response => ({ id, object: 'realtime.response', status: 'in_progress', conversation_id: 'conv_1', ...extra });

test('a response carrying kaiwa\'s tag is its own and answers the pending request', () => {
  const ledger = new ResponseLedger();
  const sent = ledger.sent('evt_1', undefined, true);
  assert.deepEqual(sent, { metadata: { [REQUEST_TAG]: 'evt_1' } });
  assert.equal(ledger.created(response('resp_1', { metadata: { [REQUEST_TAG]: 'evt_1' } })), 'own');
  assert.equal(ledger.requestPending, false);
  assert.equal(ledger.finished('resp_1'), 'own');
});

test('out-of-band and other parties\' responses are foreign and leave the request pending', () => {
  const ledger = new ResponseLedger();
  ledger.sent('evt_1', undefined, true);
  assert.equal(ledger.created(response('resp_oob', { conversation_id: null as unknown as string })), 'foreign');
  assert.equal(ledger.created(response('resp_ctl', { metadata: { controller: 'x' } })), 'foreign');
  assert.equal(ledger.created(response('resp_tag', { metadata: { [REQUEST_TAG]: 'evt_someone_else' } })), 'foreign');
  assert.equal(ledger.requestPending, true);
  assert.equal(ledger.finished('resp_oob'), 'foreign');
  assert.equal(ledger.requestPending, true);
});

test('an untagged conversation response that ends without a refusal answered the request (a server that does not echo metadata)', () => {
  const ledger = new ResponseLedger();
  ledger.sent('evt_1', undefined, false);
  assert.equal(ledger.created(response('resp_1')), 'conversation');
  assert.equal(ledger.finished('resp_1'), 'own');
  assert.equal(ledger.requestPending, false);
});

test('a refusal because the conversation is busy is retried; any other refusal is reported', () => {
  const ledger = new ResponseLedger();
  ledger.sent('evt_1', { instructions: 'x' }, true);
  assert.equal(ledger.created(response('resp_vad')), 'conversation');
  const busy = ledger.failed({ type: 'invalid_request_error', code: 'conversation_already_has_active_response', message: 'busy', event_id: 'evt_1' });
  assert.deepEqual(busy, { kind: 'retry', request: { eventId: 'evt_1', params: { instructions: 'x' } } });
  assert.equal(ledger.finished('resp_vad'), 'conversation', 'the busy response was not the answer');
  ledger.sent('evt_2', undefined, true);
  assert.equal(ledger.failed({ type: 'invalid_request_error', code: 'other', message: 'no', event_id: 'evt_9' }), undefined, 'an error about another event');
  assert.equal(ledger.failed({ type: 'invalid_request_error', code: 'invalid_value', message: 'no', event_id: 'evt_2' })?.kind, 'rejected');
});

test('queued requests keep their order and their unsent items; a reset returns the request sent and those that waited, apart', () => {
  const ledger = new ResponseLedger();
  ledger.sent('evt_1', undefined, true);
  ledger.enqueue(undefined, [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'second' }] }]);
  ledger.enqueue(undefined);
  ledger.dropBareRequests();
  assert.equal(ledger.queued, 1);
  const lost = ledger.reset();
  assert.deepEqual(lost.inFlight, { params: undefined, items: [] }, 'the request sent');
  assert.equal(lost.queued.length, 1, 'the one that waited');
  assert.deepEqual(lost.queued[0]!.items.length, 1);
  assert.equal(ledger.outstanding, false);
});
