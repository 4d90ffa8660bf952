import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendJson } from '../../src/protocol/append-json.js';

test("an append's JSON is the very text JSON.stringify gives, the event id escaped as it would be", () => {
  const audio = Buffer.from(Array.from({ length: 3001 }, (_, i) => (i * 131) % 256)).toString('base64');
  for (const eventId of ['evt_1', 'evt_"quoted"\\and\nnewline', 'ユーザー_7']) {
    assert.equal(appendJson(audio, eventId), JSON.stringify({ type: 'input_audio_buffer.append', audio, event_id: eventId }));
  }
});
