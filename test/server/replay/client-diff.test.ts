/** Comparing a live client event with the recorded one, leaving out the fields the user said to ignore. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstDifference } from '../../../src/server/replay/client-diff.js';
import { parseIgnoredFields } from '../../../src/server/replay/ignored-fields.js';

const output = (time: string, timezone = 'Asia/Tokyo'): unknown => ({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: JSON.stringify({ timezone, time }) } });

function diff(recorded: unknown, live: unknown, paths: string[]) {
  const ignored: string[] = [];
  const difference = firstDifference(recorded, live, { ignore: parseIgnoredFields(paths), onIgnored: (path) => ignored.push(path) });
  return { difference, ignored };
}

test('an ignored field that differs is no difference, and is told; one that agrees is not told', () => {
  assert.deepEqual(diff(output('03:25:19'), output('03:25:21'), []).difference, { path: 'item.output', expected: JSON.stringify({ timezone: 'Asia/Tokyo', time: '03:25:19' }), actual: JSON.stringify({ timezone: 'Asia/Tokyo', time: '03:25:21' }) });
  assert.deepEqual(diff(output('03:25:19'), output('03:25:21'), ['item.output']), { difference: undefined, ignored: ['item.output'] });
  assert.deepEqual(diff(output('03:25:19'), output('03:25:19'), ['item.output']), { difference: undefined, ignored: [] });
});

test('ignoring a field still compares the rest, before and after it', () => {
  const recorded = { type: 'session.update', session: { instructions: 'Today is Monday', voice: 'alloy', tools: [] } };
  const live = { type: 'session.update', session: { instructions: 'Today is Tuesday', voice: 'verse', tools: [] } };
  assert.deepEqual(diff(recorded, live, ['session.instructions']), { difference: { path: 'session.voice', expected: 'alloy', actual: 'verse' }, ignored: ['session.instructions'] });
});

test('[*] ignores the field in every element; an absent field counts as differing', () => {
  const recorded = { type: 'x', item: { content: [{ type: 'input_text', text: 'a' }, { type: 'input_text', text: 'b' }] } };
  const live = { type: 'x', item: { content: [{ type: 'input_text', text: 'c' }, { type: 'input_text' }] } };
  assert.deepEqual(diff(recorded, live, ['item.content[*].text']), { difference: undefined, ignored: ['item.content[0].text', 'item.content[1].text'] });
  assert.equal(diff(recorded, live, ['item.content[1].text']).difference?.path, 'item.content[0].text');
});

test('a path into a JSON string ignores that key and compares the rest of the JSON, naming the key that differs', () => {
  assert.deepEqual(diff(output('03:25:19'), output('03:25:21'), ['item.output.time']), { difference: undefined, ignored: ['item.output.time'] });
  assert.deepEqual(diff(output('03:25:19'), output('03:25:21', 'UTC'), ['item.output.time']).difference, { path: 'item.output.timezone', expected: 'Asia/Tokyo', actual: 'UTC' });
  // Live output that is not JSON: compared as the string it is.
  const notJson = { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'call_1', output: 'error: no clock' } };
  assert.equal(diff(output('03:25:19'), notJson, ['item.output.time']).difference?.path, 'item.output');
});

test('a key that is no identifier is named quoted, as a --replay-ignore path writes it', () => {
  const offset = (value: string): unknown => ({ type: 'conversation.item.create', item: { type: 'function_call_output', output: JSON.stringify({ 'utc-offset': value, 'a.b': 1 }) } });
  assert.deepEqual(diff(offset('+09:00'), offset('+01:00'), ['item.output["a.b"]']).difference, { path: 'item.output["utc-offset"]', expected: '+09:00', actual: '+01:00' });
  assert.deepEqual(diff(offset('+09:00'), offset('+01:00'), ['item.output["utc-offset"]']), { difference: undefined, ignored: ['item.output["utc-offset"]'] });
  const odd = { type: 'session.update', session: { metadata: { 'x y': 'a' } } };
  assert.equal(diff(odd, { type: 'session.update', session: { metadata: { 'x y': 'b' } } }, []).difference?.path, 'session.metadata["x y"]');
});

test('the ignored fields that differ are told all through the event, past its first difference', () => {
  const recorded = { type: 'session.update', session: { instructions: 'Today is Monday', voice: 'alloy', tools: [] } };
  const live = { type: 'session.update', session: { instructions: 'Today is Tuesday', voice: 'verse', tools: [] } };
  assert.deepEqual(diff(recorded, live, ['session.voice']), { difference: { path: 'session.instructions', expected: 'Today is Monday', actual: 'Today is Tuesday' }, ignored: ['session.voice'] });
});
