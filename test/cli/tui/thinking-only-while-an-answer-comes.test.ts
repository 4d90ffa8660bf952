/** "◌ thinking" is shown only while an answer is under way or really coming; a turn nobody answers goes back to listening. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialUi, reduceUi, type UiAction, type UiState } from '../../../src/cli/tui/ui-state.js';
import type { ServerEvent } from '../../../src/protocol/events.js';

const server = (type: string, extra: object = {}): UiAction => ({ type: 'server', event: { type, event_id: 'e', ...extra } as unknown as ServerEvent });
const sessionWith = (turnDetection: object | null): UiAction => server('session.updated', { session: { type: 'realtime', audio: { input: { turn_detection: turnDetection } } } });
const speechStarted = server('input_audio_buffer.speech_started', { item_id: 'u', audio_start_ms: 0 });
const speechStopped = server('input_audio_buffer.speech_stopped', { item_id: 'u', audio_end_ms: 900 });
const committed = server('input_audio_buffer.committed', { item_id: 'u', previous_item_id: null });

function phasesAfter(actions: UiAction[]): string[] {
  let state: UiState = reduceUi(initialUi({ offline: true, pushToTalk: false }), { type: 'connected' });
  return actions.map((action) => (state = reduceUi(state, action)).phase);
}

test('a turn the server\'s VAD commits with create_response false is not answered: back to listening, not thinking', () => {
  const phases = phasesAfter([sessionWith({ type: 'server_vad', create_response: false }), speechStarted, speechStopped, committed]);
  assert.deepEqual(phases, ['listening', 'user-speaking', 'listening', 'listening']);
});

test('with turn detection off a commit nobody asked an answer for is not thinking', () => {
  assert.deepEqual(phasesAfter([sessionWith(null), committed]), ['listening', 'listening']);
});

test('kaiwa\'s request for an answer is thinking until the response begins, and a refused one goes back to listening', () => {
  const phases = phasesAfter([
    sessionWith(null), committed, { type: 'answer-requested', pending: true },
    server('response.created', { response: { id: 'r' } }), { type: 'answer-requested', pending: false }, server('response.done', { response: { id: 'r' } }),
    committed, { type: 'answer-requested', pending: true }, server('error', { error: { type: 'invalid_request_error', message: 'no' } }), { type: 'answer-requested', pending: false },
  ]);
  assert.deepEqual(phases, ['listening', 'listening', 'thinking', 'thinking', 'thinking', 'listening', 'listening', 'thinking', 'thinking', 'listening']);
});

test('a turn the server answers itself is thinking from its end until the answer begins; more speech first ends the wait', () => {
  assert.deepEqual(phasesAfter([sessionWith({ type: 'server_vad' }), speechStarted, speechStopped, committed, server('response.created', { response: { id: 'r' } }), server('response.done', { response: { id: 'r' } })]),
    ['listening', 'user-speaking', 'thinking', 'thinking', 'thinking', 'listening']);
  // The user spoke again before the server answered, and the server let it be (no response): not thinking after it.
  assert.deepEqual(phasesAfter([sessionWith({ type: 'semantic_vad' }), speechStarted, speechStopped, speechStarted, server('input_audio_buffer.cleared')]),
    ['listening', 'user-speaking', 'thinking', 'user-speaking', 'user-speaking']);
});

test('with interrupt_response off a turn closed while the reply plays is not answered: listening once that reply is done', () => {
  const phases = phasesAfter([
    sessionWith({ type: 'server_vad', interrupt_response: false }), server('response.created', { response: { id: 'r' } }),
    speechStarted, speechStopped, committed, server('response.done', { response: { id: 'r' } }),
  ]);
  assert.deepEqual(phases, ['listening', 'thinking', 'user-speaking', 'thinking', 'thinking', 'listening']);
});

test('a lost connection ends the answer under way and the turn being spoken: no response.done or speech_stopped will come for them', () => {
  // While it is down the status says so (reconnect-status.test.ts); once back, neither is shown as going on.
  const phases = phasesAfter([
    sessionWith({ type: 'server_vad' }), server('response.created', { response: { id: 'r' } }), { type: 'connection-lost' }, { type: 'connected' },
    speechStarted, { type: 'connection-lost' }, { type: 'connected' },
  ]);
  assert.deepEqual(phases, ['listening', 'thinking', 'disconnected', 'listening', 'user-speaking', 'disconnected', 'listening']);
});
