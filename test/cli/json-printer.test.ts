import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventToJsonLine } from '../../src/cli/json-printer.js';
import type { ServerEvent } from '../../src/protocol/events.js';

test('an event\'s text with control characters of every kind is written escaped, and parses back to the same event', () => {
  const event = {
    type: 'response.output_text.delta', event_id: 'e', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0,
    delta: 'A\u001b]0;T\u0007B\u009b2J\u0085\u007f\u202e\u2028 日本語 👋',
  } as ServerEvent;
  const line = eventToJsonLine(event);
  assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
  assert.match(line, /\\u009b2J/);
  assert.match(line, /日本語 👋/);
  assert.deepEqual(JSON.parse(line), event);
});
