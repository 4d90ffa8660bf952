/** The checks only --strict makes, with a fake clock for the streaming pace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrictChecks } from '../../src/server/strict/strict-checks.js';
import { MistakeLedger, MistakeTally, mistakeKind } from '../../src/server/strict/client-mistakes.js';
import { inAsciiLocale } from '../helpers/own-text-in-ascii.js';
import { ProtocolFailure, invalidType, invalidValue, missingParameter, outOfRange, unknownParameter } from '../../src/server/protocol-failure.js';
import { integerIn } from '../../src/server/json-check.js';
import { truncateItem } from '../../src/server/truncation.js';
import { assistantMessage } from '../../src/server/conversation-items.js';

function streamAt(captureRate: number, chunks: number): string[] {
  let now = 0;
  const checks = new StrictChecks(() => now);
  checks.inspect({ type: 'session.update' }, undefined);
  const codes: string[] = [];
  for (let i = 0; i < chunks; i++) {
    // 100 ms of audio captured at `captureRate`, labelled as 24 kHz, sent every 100 ms.
    const bytes = Buffer.alloc((captureRate / 10) * 2);
    codes.push(...checks.inspect({ type: 'input_audio_buffer.append' }, { format: 'pcm16', bytes }).map((failure) => `${i}:${failure.code}`));
    now += 100;
  }
  return codes;
}

test('steady streaming at the pace of 16 kHz or 48 kHz audio is reported once, after 3 s; 24 kHz never', () => {
  assert.deepEqual(streamAt(16000, 60), ['30:invalid_audio_rate']);
  assert.deepEqual(streamAt(48000, 60), ['30:invalid_audio_rate']);
  assert.deepEqual(streamAt(24000, 60), []);
});

test('a burst upload (far faster than real time) is not a rate mistake', () => {
  let now = 0;
  const checks = new StrictChecks(() => now);
  checks.inspect({ type: 'session.update' }, undefined);
  for (let i = 0; i < 600; i++) {
    assert.deepEqual(checks.inspect({ type: 'input_audio_buffer.append' }, { format: 'pcm16', bytes: Buffer.alloc(4800) }), []);
    now += 1;
  }
});

test('unknown top-level fields are refused; known ones pass', () => {
  const checks = new StrictChecks();
  assert.throws(() => checks.refuse({ type: 'response.create', instructions: 'x' }), /Unknown parameter: 'instructions'/);
  checks.refuse({ type: 'response.create', event_id: 'e', response: {} });
  checks.refuse({ type: 'some.future.event', anything: 1 });
});

test('the tally and the ledger word their lines', () => {
  const lines: string[] = [];
  const ledger = new MistakeLedger((line) => lines.push(line));
  const tally = new MistakeTally();
  ledger.closed('sess_clean', tally);
  tally.record('unknown field');
  tally.record('unknown item id');
  tally.record('unknown field');
  ledger.closed('sess_bad', tally);
  assert.deepEqual(lines, ['strict: session sess_clean: no protocol mistakes', 'strict: session sess_bad: 3 protocol mistakes: unknown field ×2, unknown item id ×1']);
  assert.equal(ledger.describe(), 'strict: 3 protocol mistakes in 1 of 2 sessions');
});

test('a truncate past the audio, a negative audio_end_ms and a non-number one are three kinds, each named by the field', () => {
  const stored = { item: assistantMessage('item_a', 'completed', [{ type: 'output_audio', transcript: '' }]), audio: new Map([[0, { pcm: Buffer.alloc(0), sampleRate: 24000, durationMs: 900 }]]) };
  const kind = (check: () => unknown) => {
    try { check(); } catch (error) { return mistakeKind(error as ProtocolFailure, 'conversation.item.truncate'); }
    return assert.fail('accepted');
  };
  assert.equal(kind(() => truncateItem(stored, 0, 2000)), 'conversation.item.truncate audio_end_ms past the audio sent');
  assert.equal(kind(() => integerIn(-1, 'audio_end_ms', 0, Number.MAX_SAFE_INTEGER)), 'conversation.item.truncate audio_end_ms below 0');
  assert.equal(kind(() => integerIn('10', 'audio_end_ms', 0, Number.MAX_SAFE_INTEGER)), 'conversation.item.truncate audio_end_ms not a number');
});

test('other mistakes are named by event type, field path and what was wrong, never by a bare error code', () => {
  assert.equal(mistakeKind(outOfRange('session.temperature', 0.2, 0.6, 1.2), 'session.update'), 'session.update session.temperature below 0.6');
  assert.equal(mistakeKind(outOfRange('session.audio.output.speed', 3, 0.25, 1.5), 'session.update'), 'session.update session.audio.output.speed above 1.5');
  assert.equal(mistakeKind(invalidType('item.content', 'an array', 'x'), 'conversation.item.create'), 'conversation.item.create item.content not an array');
  assert.equal(mistakeKind(unknownParameter('item.output'), 'conversation.item.create'), 'conversation.item.create with unknown item.output');
  assert.equal(mistakeKind(invalidValue('session.audio.output.voice', 'x', ['alloy']), 'session.update'), 'session.update session.audio.output.voice not a supported value');
  assert.equal(mistakeKind(new ProtocolFailure('Item not found.', 'item_not_found', 'item_id'), 'conversation.item.retrieve'), 'conversation.item.retrieve item_id not found');
  assert.equal(mistakeKind(new ProtocolFailure('Already active.', 'conversation_already_has_active_response'), 'response.create'), 'response.create while a response is active');
  assert.equal(mistakeKind(new ProtocolFailure('Odd bytes.', 'invalid_audio_size', 'audio'), 'input_audio_buffer.append'), 'input_audio_buffer.append audio of a wrong size');
  assert.equal(mistakeKind(invalidValue('type', 'no.such.event'), 'no.such.event'), 'an event of unknown type no.such.event');
  assert.equal(mistakeKind(invalidType('type', 'a string', 5)), 'an event whose type is not a string');
  assert.equal(mistakeKind(new ProtocolFailure('The message could not be parsed as JSON.', 'invalid_json')), 'a message that is not JSON');
  assert.equal(mistakeKind(new ProtocolFailure('Some new failure.', 'some_new_code', 'session.x'), 'session.update'), 'session.update session.x some new code');
});

test('a missing field is named by the event type and the field; without a type, as an event without it', () => {
  assert.equal(mistakeKind(missingParameter('item.role'), 'conversation.item.create'), 'conversation.item.create without item.role');
  assert.equal(mistakeKind(missingParameter('type')), 'an event without type');
  assert.equal(mistakeKind(missingParameter('audio')), 'an event without audio');
});

test('what a client named is shown on one line and cut short, and a flood of distinct mistakes stays a bounded line', () => {
  const kind = mistakeKind(unknownParameter(`session.evil\nstrict: session sess_fake: no protocol mistakes${'x'.repeat(500)}`), 'session.update');
  assert.ok(!/[\n\r]/.test(kind), kind);
  assert.ok(kind.length < 160, `${kind.length} characters`);
  assert.ok(!/[\u0000-\u001f]/.test(mistakeKind(invalidValue('type', 'x'), 'odd\u0000\ttype')));
  const tally = new MistakeTally();
  for (let index = 0; index < 1000; index += 1) tally.record(`session.update with unknown session.k${index}`);
  tally.record('session.update with unknown session.k0');
  const line = tally.describe();
  assert.ok(line.length < 4000, `${line.length} characters`);
  assert.match(line, /^1001 protocol mistakes: session\.update with unknown session\.k0 ×2, /);
  assert.match(line, /, other mistakes ×980$/);
});

test('outside UTF-8 the summary counts with x, the event type a client sent written as it was', () => {
  const line = inAsciiLocale(() => {
    const tally = new MistakeTally();
    tally.record('café·update with unknown session.k');
    tally.record('café·update with unknown session.k');
    return tally.describe();
  });
  assert.equal(line, '2 protocol mistakes: café·update with unknown session.k x2');
});
