/** Field paths as the replay writes and reads them: identifiers dotted, other keys quoted in brackets, indices in brackets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldPath, parseFieldPath, type PathStep } from '../../../src/server/replay/field-path.js';

test('a path written is read back as the same steps', () => {
  const cases: Array<[PathStep[], string]> = [
    [[{ key: 'item' }, { key: 'content' }, { index: 0 }, { key: 'text' }], 'item.content[0].text'],
    [[{ key: 'item' }, { key: 'output' }, { key: 'utc-offset' }], 'item.output["utc-offset"]'],
    [[{ key: 'item' }, { key: 'output' }, { key: 'a.b' }, { key: 'c' }], 'item.output["a.b"].c'],
    [[{ key: 'x y' }, { key: '0' }, { index: '*' }], '["x y"]["0"][*]'],
    [[{ key: 'say "hi"' }, { key: '' }], '["say \\"hi\\""][""]'],
    [[{ key: 'utc_offset' }, { key: 'é' }], 'utc_offset["é"]'],
  ];
  for (const [steps, text] of cases) {
    assert.equal(formatFieldPath(steps), text);
    assert.deepEqual(parseFieldPath(text), steps, text);
  }
});

test('what is not a path is undefined', () => {
  for (const text of ['', '.a', 'a.', 'a..b', '[0]', 'a[-1]', 'a[x]', 'a.[0]', "a['b']", 'a["b"', 'a["b"]c', 'a b', 'a.0']) {
    assert.equal(parseFieldPath(text), undefined, text);
  }
});
