import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendJson } from '../../src/protocol/append-json.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import { betaDialect } from '../../src/protocol/beta-dialect.js';
import type { ClientEvent, WireEvent } from '../../src/protocol/events.js';

test('an append is the same text JSON.stringify gives, in both dialects', () => {
  for (const bytes of [0, 1, 2, 3, 480, 1920, 4801]) {
    const audio = randomBytes(bytes).toString('base64');
    const event = { type: 'input_audio_buffer.append', audio, event_id: `evt_0a1b2c3d_${bytes}` } as ClientEvent;
    for (const dialect of [gaDialect, betaDialect]) {
      const wire = dialect.clientToWire(event);
      assert.equal(appendJson(wire, audio), JSON.stringify(wire), `${dialect.name}, ${bytes} bytes`);
    }
  }
});

test('an event id that needs escaping is escaped', () => {
  const audio = 'AAAA';
  const wire: WireEvent = { type: 'input_audio_buffer.append', audio, event_id: 'a "quoted"\\ id\n' };
  assert.equal(appendJson(wire, audio), JSON.stringify(wire));
});

test('anything but exactly { type, audio, event_id } with the caller\'s base64 is left to JSON.stringify', () => {
  const audio = 'AAAA';
  const cases: WireEvent[] = [
    { type: 'input_audio_buffer.commit', audio, event_id: 'e' },
    { type: 'input_audio_buffer.append', audio: 'BBBB', event_id: 'e' },
    { type: 'input_audio_buffer.append', audio },
    { type: 'input_audio_buffer.append', audio, event_id: 7 },
    { type: 'input_audio_buffer.append', event_id: 'e', audio },
    { type: 'input_audio_buffer.append', audio, event_id: 'e', extra: true },
  ];
  for (const wire of cases) assert.equal(appendJson(wire, audio), undefined, JSON.stringify(wire));
});
