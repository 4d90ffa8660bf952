import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypedLineLedger } from '../../src/client/typed-line-ledger.js';
import type { Item } from '../../src/protocol/events.js';

const line = (id: string, text: string): Item => ({ id, type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const never = () => false;

test('each typed line not taken in or not answered is named with why; an announced and answered one is not', () => {
  const ledger = new TypedLineLedger();
  ledger.sent('a', line('a', 'answered'), 'evt_1', false);
  ledger.asked('a', line('a', 'answered'));
  ledger.confirmed('a');
  ledger.answered();
  ledger.sent('b', line('b', 'taken in, no answer'), 'evt_2', false);
  ledger.asked('b', line('b', 'taken in, no answer'));
  ledger.confirmed('b');
  ledger.sent('c', line('c', 'sent, never announced'), 'evt_3', false);
  ledger.sent('d', line('d', 'typed while down'), 'evt_4', true);
  ledger.sent('e', line('e', 'held by the transport'), 'evt_5', false);
  const report = ledger.report([line('f', 'queued')], false, (eventId) => eventId === 'evt_5');
  assert.deepEqual(report, [
    { text: 'taken in, no answer', why: 'never answered' },
    { text: 'sent, never announced', why: 'never confirmed' },
    { text: 'typed while down', why: 'connection down' },
    { text: 'held by the transport', why: 'session never started' },
    { text: 'queued', why: 'turn never came' },
  ]);
  assert.deepEqual(ledger.report([line('f', 'queued')], true, never).at(-1), { text: 'queued', why: 'connection down' });
});

test('a line whose answer was given in full was taken in, though its announcement never arrived intact', () => {
  const ledger = new TypedLineLedger();
  ledger.sent('a', line('a', 'answered, announcement lost'), 'evt_1', false);
  ledger.asked('a', line('a', 'answered, announcement lost'));
  ledger.sent('b', line('b', 'sent after, never announced'), 'evt_2', false);
  ledger.answeredInFull();
  assert.deepEqual(ledger.report([], false, never), [{ text: 'sent after, never announced', why: 'never confirmed' }]);
});

test('a line still unconfirmed is reported as that, not also as unanswered; only user messages count', () => {
  const ledger = new TypedLineLedger();
  ledger.sent('a', line('a', 'asked'), 'evt_1', false);
  ledger.asked('a', line('a', 'asked'));
  const output: Item = { id: 'o', type: 'function_call_output', call_id: 'call_1', output: '{}' };
  ledger.sent('o', output, 'evt_2', false);
  assert.deepEqual(ledger.report([], false, never), [{ text: 'asked', why: 'never confirmed' }]);
});

test('a new connection takes what was never confirmed, to send again: nothing is left to report until it is tracked anew', () => {
  const ledger = new TypedLineLedger();
  ledger.sent('a', line('a', 'lost'), 'evt_1', false);
  assert.deepEqual(ledger.takeUnconfirmed(), [line('a', 'lost')]);
  assert.deepEqual(ledger.report([], false, never), []);
});
