/** While the connection is down the status bar says so, and what becomes of what the user says or types then; never "listening". */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { statusLine } from '../../../src/cli/tui/status-line.js';
import { IN_ASCII } from '../../../src/cli/own-symbols.js';
import { initialUi, reduceUi, type UiAction, type UiState } from '../../../src/cli/tui/ui-state.js';
import type { ServerEvent } from '../../../src/protocol/events.js';

const server = (type: string, extra: object = {}): UiAction => ({ type: 'server', event: { type, event_id: 'e', ...extra } as unknown as ServerEvent });

function after(state: UiState, ...actions: UiAction[]): UiState {
  return actions.reduce(reduceUi, state);
}

const withMicrophone = after(initialUi({ offline: false, pushToTalk: false }), { type: 'connected' }, { type: 'level', dbfs: -30 });
const typingOnly = after(initialUi({ offline: false, pushToTalk: false, microphone: false }), { type: 'connected' });

test('a lost connection with a microphone: reconnecting, which attempt, and that speech now is not heard (it is dropped); no level meter', () => {
  const lost = after(withMicrophone, { type: 'connection-lost' });
  assert.equal(lost.phase, 'disconnected');
  assert.match(statusLine(lost, 120), /^⊘ connection lost · what you say now is not heard  /);
  const second = after(lost, { type: 'reconnecting', attempt: 1 }, { type: 'reconnecting', attempt: 2 });
  assert.equal(second.phase, 'reconnecting');
  const line = statusLine(second, 120);
  assert.match(line, /^↻ reconnecting \(attempt 2\) · what you say now is not heard  0→0 tok  \? help$/);
  assert.doesNotMatch(line, /listening|▮|▯/);
});

test('muted when the connection went down: still shown muted (not "what you say now is not heard"), and that typed lines wait; unmuted, speech is not heard again', () => {
  const muted = after(withMicrophone, { type: 'mute', muted: true }, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 2 });
  assert.match(statusLine(muted, 120), /^↻ reconnecting \(attempt 2\) · muted · what you type waits to be sent  /);
  assert.match(statusLine(muted, 40), /muted · typed lines wait/);
  const unmuted = after(muted, { type: 'mute', muted: false });
  assert.match(statusLine(unmuted, 120), /^↻ reconnecting \(attempt 2\) · what you say now is not heard  /);
  assert.equal(after(muted, { type: 'connected' }).phase, 'muted', 'muted again once back');
});

test('without a microphone: reconnecting, and that typed lines wait to be sent (they are held until the reconnect)', () => {
  const state = after(typingOnly, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 1 });
  assert.match(statusLine(state, 120), /^↻ reconnecting \(attempt 1\) · what you type waits to be sent  /);
  assert.doesNotMatch(statusLine(state, 120), /type to talk/);
});

test('nothing said, played or asked for changes the reconnecting state until the connection is back; then the true state again', () => {
  let state = after(withMicrophone, server('response.created', { response: {} }), { type: 'connection-lost' }, { type: 'reconnecting', attempt: 1 });
  for (const action of [
    { type: 'mute', muted: true }, { type: 'mute', muted: false }, { type: 'audible', audible: true }, { type: 'audible', audible: false },
    { type: 'answer-requested', pending: true }, { type: 'talking', talking: true }, { type: 'talking', talking: false },
  ] as UiAction[]) {
    state = reduceUi(state, action);
    assert.equal(state.phase, 'reconnecting', JSON.stringify(action));
  }
  // Once back, the answer asked for again is coming.
  state = reduceUi(state, { type: 'connected' });
  assert.equal(state.phase, 'thinking');
  state = after(state, { type: 'answer-requested', pending: false });
  assert.equal(state.phase, 'listening');
  assert.match(statusLine(state, 120), /^● listening  ▮▮▮▮▮▯▯▯▯▯  /);
  // A later loss starts counting afresh.
  assert.match(statusLine(after(state, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 1 }), 120), /attempt 1/);
  const muted = after(withMicrophone, { type: 'mute', muted: true }, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 1 }, { type: 'connected' });
  assert.equal(muted.phase, 'muted');
  const typing = after(typingOnly, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 3 }, { type: 'connected' });
  assert.match(statusLine(typing, 120), /^✎ no microphone · type to talk  /);
});

test('a new connection that drops before its session began is still the same recovery: the attempt is not forgotten', () => {
  const state = after(withMicrophone, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 2 }, { type: 'connection-lost' });
  assert.match(statusLine(state, 120), /reconnecting \(attempt 2\)/);
});

test('given up (or refused, or reconnecting off): the connection is lost for good and the session ends; nothing brings "listening" back', () => {
  const over = after(withMicrophone, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 4 }, { type: 'connection-ended' });
  assert.equal(over.phase, 'disconnected');
  assert.match(statusLine(over, 120), /^⊘ connection lost · the session ends  /);
  assert.equal(after(over, { type: 'mute', muted: false }, { type: 'answer-requested', pending: false }).phase, 'disconnected');
});

test('in a narrow terminal the reconnecting state keeps its words: the long form, then a short one (no attempt), then without its symbol, and only then the cut', () => {
  const state = after(withMicrophone, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 2 });
  assert.equal(statusLine(state, 58), '↻ reconnecting (attempt 2) · what you say now is not heard');
  assert.equal(statusLine(state, 57), '↻ reconnecting · you’re not heard');
  assert.equal(statusLine(state, 33), '↻ reconnecting · you’re not heard');
  assert.equal(statusLine(state, 32), 'reconnecting · you’re not heard');
  assert.equal(statusLine(state, 20), 'reconnecting · you’…');
  const typing = after(typingOnly, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 1 });
  assert.equal(statusLine(typing, 40), '↻ reconnecting · typed lines wait');
  const over = after(state, { type: 'connection-ended' });
  assert.equal(statusLine(over, 30), '⊘ connection lost · ending');
  for (const width of [10, 15, 20, 25, 30, 35, 40, 50, 60, 80]) {
    for (const shown of [state, typing, over]) assert.ok(stringWidth(statusLine(shown, width)) <= width, `${statusLine(shown, width)} at ${width}`);
  }
});

test('in ASCII (a locale that is not UTF-8) the reconnecting and lost states have no other character, and fit', () => {
  const state = after(withMicrophone, { type: 'connection-lost' }, { type: 'reconnecting', attempt: 2 });
  assert.match(statusLine(state, 120, IN_ASCII), /^% reconnecting \(attempt 2\) \| what you say now is not heard  0->0 tok  \? help$/);
  const over = after(state, { type: 'connection-ended' });
  assert.match(statusLine(over, 120, IN_ASCII), /^\/ connection lost \| the session ends  /);
  for (const width of [10, 15, 20, 25, 30, 35, 40, 60]) {
    for (const shown of [state, over]) {
      const line = statusLine(shown, width, IN_ASCII);
      assert.match(line, /^[\x20-\x7e]*$/, line);
      assert.ok(line.length <= width, `${line} at ${width}`);
    }
  }
});
