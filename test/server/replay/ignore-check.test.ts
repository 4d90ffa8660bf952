/** `--replay-ignore` paths checked against the cassette's client events before a replay listens: one that matches nothing is refused, naming the closest path there is. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/errors.js';
import { parseIgnoredFields } from '../../../src/server/replay/ignored-fields.js';
import { checkIgnoredFields } from '../../../src/server/replay/ignore-check.js';

const EVENTS = [
  { type: 'session.update', event_id: 'evt_1', session: { type: 'realtime', instructions: 'Today is Monday', audio: { output: { voice: 'alloy' } }, tools: [{ type: 'function', name: 'time' }] } },
  { type: 'input_audio_buffer.append', audio: { bytes: 9600, wavOffsetMs: 0 } },
  { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_text', text: 'there' }] } },
  { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: JSON.stringify({ iso: '2026-12-03T03:25:19+09:00', 'utc-offset': '+09:00', list: [{ at: 1 }] }) } },
  { type: 'response.create' },
];

function refusal(spec: string): string | undefined {
  try {
    checkIgnoredFields(parseIgnoredFields([spec]), EVENTS);
    return undefined;
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
}

test('a path that names a field of some recorded client event passes: keys, indices, [*], scopes, and into JSON strings', () => {
  for (const spec of [
    'item.output', 'session.instructions', 'session.audio.output.voice', 'session.tools[0].name', 'session.tools[*]',
    'item.content[*].text', 'item.content[1].text', 'conversation.item.create:item.output', 'session.update:session',
    'item.output.iso', 'item.output["utc-offset"]', 'item.output.list[*].at', 'item.call_id', 'audio',
  ]) {
    assert.equal(refusal(spec), undefined, spec);
  }
});

test('a path that matches nothing is refused, naming the closest path the cassette has', () => {
  assert.equal(refusal('item.outptu'), 'item.outptu matches no field of the cassette\'s client events (did you mean item.output?)');
  assert.equal(refusal('item.output.isoo'), 'item.output.isoo matches no field of the cassette\'s client events (did you mean item.output.iso?)');
  assert.equal(refusal('item.output.utc_offset'), 'item.output.utc_offset matches no field of the cassette\'s client events (did you mean item.output["utc-offset"]?)');
  assert.equal(refusal('item.content[*].txt'), 'item.content[*].txt matches no field of the cassette\'s client events (did you mean item.content[*].text?)');
  // The beta name of a field the cassette holds in the GA shape: the same last key, elsewhere.
  assert.equal(refusal('session.voice'), 'session.voice matches no field of the cassette\'s client events (did you mean session.audio.output.voice?)');
  assert.equal(refusal('item.content[2].text'), 'item.content[2].text matches no field of the cassette\'s client events (did you mean item.content[0].text?)');
  assert.equal(refusal('nothing.like.it'), 'nothing.like.it matches no field of the cassette\'s client events');
  // Under a placeholder of audio there is nothing to compare.
  assert.match(refusal('audio.bytes') ?? '', /^audio\.bytes matches no field/);
});

test('a scoped path must match in events of its type', () => {
  assert.equal(refusal('response.create:item.output'), 'response.create:item.output matches no field of the cassette\'s response.create events (conversation.item.create has it)');
  assert.equal(refusal('conversation.item.create:item.outptu'), 'conversation.item.create:item.outptu matches no field of the cassette\'s conversation.item.create events (did you mean conversation.item.create:item.output?)');
  assert.equal(refusal('response.cancel:response'), 'response.cancel:response names an event type the cassette\'s client never sent (it sent session.update, input_audio_buffer.append, conversation.item.create, response.create)');
});

test('every path is checked, the first that matches nothing named', () => {
  assert.throws(() => checkIgnoredFields(parseIgnoredFields(['item.output,session.instructoins', 'item.outptu']), EVENTS), /^UsageError: session\.instructoins matches no field .*\(did you mean session\.instructions\?\)$/);
});
