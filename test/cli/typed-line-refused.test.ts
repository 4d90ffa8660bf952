/**
 * Lines piped into kaiwa are decoded strictly, one line at a time: only bytes that are truly
 * not UTF-8 are refused (a line that holds U+FFFD itself is text, and is sent). A line refused
 * after earlier ones were sent is named by its number, and the earlier lines' answers still
 * come before kaiwa exits 2; nothing after the refused line is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';

/** No key: kaiwa's local server answers each line with "You said: …". */
const OFFLINE = ['--no-mic', '--no-speaker'];

test('a piped line that holds the replacement character U+FFFD (valid UTF-8) is sent and answered, not refused as "not UTF-8"', async () => {
  const result = await runKaiwa(OFFLINE, { stdin: 'what does \uFFFD mean?\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /not UTF-8/);
  assert.match(result.stdout, /^assistant: You said: what does \uFFFD mean\?$/m);
});

const laterLines: Array<[string, Buffer, RegExp]> = [
  ['not UTF-8 (Latin-1)', Buffer.from('caf\xe9 au lait', 'latin1'), /^error: line 3 of standard input is not UTF-8 text: it and the lines after it were not sent \(convert it first, e\.g\. iconv -f latin1 -t utf-8\)$/m],
  ['binary data', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]), /^error: line 3 of standard input holds binary data, not text: it and the lines after it were not sent$/m],
];

for (const [what, bad, message] of laterLines) {
  test(`a later piped line that is ${what}: refused by its number, the earlier lines still answered, nothing after it sent, exit 2`, async () => {
    const stdin = Buffer.concat([Buffer.from('first question\nsecond question\n'), bad, Buffer.from('\nnever sent\n')]);
    const result = await runKaiwa(OFFLINE, { stdin });
    assertNoStackTrace(result.stderr);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.match(result.stdout, /^assistant: You said: first question$/m);
    assert.match(result.stdout, /^assistant: You said: second question$/m);
    assert.doesNotMatch(result.stdout, /never sent/);
  });
}
