/** The checks only --strict makes, with a fake clock for the streaming pace. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrictChecks } from '../../src/server/strict/strict-checks.js';
import { MistakeLedger, MistakeTally, mistakeKind } from '../../src/server/strict/client-mistakes.js';
import { ProtocolFailure, missingParameter } from '../../src/server/protocol-failure.js';

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

test('a truncate past the audio is named so; a negative or non-number audio_end_ms by its own code', () => {
  assert.equal(mistakeKind(new ProtocolFailure('Audio content of 900ms is already shorter than 2000ms.', 'invalid_value', 'audio_end_ms')), 'truncate past the audio sent');
  assert.equal(mistakeKind(new ProtocolFailure('below 0', 'decimal_below_min_value', 'audio_end_ms')), 'decimal_below_min_value');
  assert.equal(mistakeKind(new ProtocolFailure('not a number', 'invalid_type', 'audio_end_ms')), 'invalid_type');
});

test('a missing field is named by the event type and the field; without a type, as an event without it', () => {
  assert.equal(mistakeKind(missingParameter('item.role'), 'conversation.item.create'), 'conversation.item.create without item.role');
  assert.equal(mistakeKind(missingParameter('type')), 'an event without type');
  assert.equal(mistakeKind(missingParameter('audio')), 'an event without audio');
});
