/** `--replay-ignore` paths: what parses, what is refused, and which fields of an event they name. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../../src/errors.js';
import { ignoredIn, isIgnored, parseIgnoredField, parseIgnoredFields, reachesBelow } from '../../../src/server/replay/ignored-fields.js';

test('a path parses into keys and indices, optionally scoped to an event type', () => {
  assert.deepEqual(parseIgnoredField('item.content[*].text'), { spec: 'item.content[*].text', eventType: undefined, steps: [{ key: 'item' }, { key: 'content' }, { index: '*' }, { key: 'text' }] });
  assert.deepEqual(parseIgnoredField('conversation.item.create:item.output'), { spec: 'conversation.item.create:item.output', eventType: 'conversation.item.create', steps: [{ key: 'item' }, { key: 'output' }] });
  assert.deepEqual(parseIgnoredField('tools[2]').steps, [{ key: 'tools' }, { index: 2 }]);
});

test('comma-separated and repeated values give every path, spaces around commas allowed', () => {
  assert.deepEqual(parseIgnoredFields(['item.output, session.instructions', 'metadata']).map((field) => field.spec), ['item.output', 'session.instructions', 'metadata']);
});

test('a malformed path is a UsageError naming it', () => {
  for (const spec of ['', 'item..output', '.item', 'item.', 'item[x]', 'item[-1]', '[0]', 'item output', 'conversation.item.create:', ':item', 'a:b:c', 'item.out-put']) {
    assert.throws(() => parseIgnoredField(spec), (error: unknown) => error instanceof UsageError && error.message.startsWith(`${JSON.stringify(spec)} is not a field path`), spec);
  }
  assert.throws(() => parseIgnoredFields(['item.output,']), /"" is not a field path/);
});

test('a path names its field and all under it, [*] any index; it reaches below a field it goes on past', () => {
  const text = parseIgnoredField('item.content[*].text');
  assert.equal(isIgnored(text, [{ key: 'item' }, { key: 'content' }, { index: 3 }, { key: 'text' }]), true);
  assert.equal(isIgnored(text, [{ key: 'item' }, { key: 'content' }, { index: 3 }, { key: 'text' }, { key: 'deeper' }]), true);
  assert.equal(isIgnored(text, [{ key: 'item' }, { key: 'content' }, { index: 3 }, { key: 'type' }]), false);
  assert.equal(isIgnored(text, [{ key: 'item' }, { key: 'content' }]), false);
  assert.equal(reachesBelow(text, [{ key: 'item' }, { key: 'content' }]), true);
  assert.equal(reachesBelow(text, [{ key: 'item' }, { key: 'output' }]), false);
  const first = parseIgnoredField('item.content[0]');
  assert.equal(isIgnored(first, [{ key: 'item' }, { key: 'content' }, { index: 0 }]), true);
  assert.equal(isIgnored(first, [{ key: 'item' }, { key: 'content' }, { index: 1 }]), false);
});

test('a scoped path applies to its event type only', () => {
  const fields = parseIgnoredFields(['conversation.item.create:item.output', 'session.instructions']);
  assert.deepEqual(ignoredIn(fields, 'conversation.item.create').map((field) => field.spec), ['conversation.item.create:item.output', 'session.instructions']);
  assert.deepEqual(ignoredIn(fields, 'response.create').map((field) => field.spec), ['session.instructions']);
});

test('a key that is no identifier is written quoted, as the difference lines print it: ["utc-offset"], ["a.b"], ["a:b"]', () => {
  assert.deepEqual(parseIgnoredField('item.output["utc-offset"]').steps, [{ key: 'item' }, { key: 'output' }, { key: 'utc-offset' }]);
  assert.deepEqual(parseIgnoredField('item.output["a.b"].c').steps, [{ key: 'item' }, { key: 'output' }, { key: 'a.b' }, { key: 'c' }]);
  assert.deepEqual(parseIgnoredField('metadata["0"][0]').steps, [{ key: 'metadata' }, { key: '0' }, { index: 0 }]);
  assert.deepEqual(parseIgnoredField('["x y"]').steps, [{ key: 'x y' }]);
  // A quote, a backslash or a colon inside: JSON's escapes; the event type is what comes before the first colon outside quotes.
  assert.deepEqual(parseIgnoredField('conversation.item.create:item.output["say \\"hi\\"\\\\"]'), { spec: 'conversation.item.create:item.output["say \\"hi\\"\\\\"]', eventType: 'conversation.item.create', steps: [{ key: 'item' }, { key: 'output' }, { key: 'say "hi"\\' }] });
  assert.deepEqual(parseIgnoredField('item.output["a:b"]'), { spec: 'item.output["a:b"]', eventType: undefined, steps: [{ key: 'item' }, { key: 'output' }, { key: 'a:b' }] });
  for (const spec of ['item.output["utc-offset', 'item.output[utc-offset]', "item.output['utc-offset']", 'item.output.["a"]', 'item.output[""]x', 'item["a"', 'item["\\q"]']) {
    assert.throws(() => parseIgnoredField(spec), (error: unknown) => error instanceof UsageError && error.message.startsWith(`${JSON.stringify(spec)} is not a field path`), spec);
  }
});
