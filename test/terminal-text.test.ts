import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_LINE_LENGTH, printableLine, printableText, shortened } from '../src/terminal-text.js';
import { inAsciiLocale } from './helpers/own-text-in-ascii.js';

/** Every character a terminal could take as an instruction. */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('a window-title OSC and a clear-screen CSI are removed whole, the text around them kept', () => {
  assert.equal(printableText('A\u001b]0;TITLE\u0007B\u001b[2JC'), 'ABC');
});

test('OSC strings end at ST as well as at BEL; an unterminated one is dropped to the end', () => {
  assert.equal(printableText('a\u001b]52;c;aGk=\u001b\\b'), 'ab', 'clipboard write (OSC 52) ended by ST');
  assert.equal(printableText('a\u001b]8;;http://x\u0007link\u001b]8;;\u0007b'), 'alinkb', 'hyperlink markup');
  assert.equal(printableText('a\u001b]0;never ends'), 'a');
});

test('DCS, APC, PM and SOS strings, and short ESC sequences (reset, charset, save cursor) are removed', () => {
  assert.equal(printableText('a\u001bPq#0;2;0;0;0\u001b\\b'), 'ab');
  assert.equal(printableText('a\u001b_payload\u001b\\b\u001b^pm\u0007c\u001bXsos\u001b\\d'), 'abcd');
  assert.equal(printableText('a\u001bcb\u001b(Bc\u001b7d\u001b'), 'abcd');
});

test('CSI sequences of every shape go: colours, cursor moves, private modes, with intermediates', () => {
  assert.equal(printableText('\u001b[31mred\u001b[0m \u001b[10;5H\u001b[?1049h\u001b[1 qok\u001b[K'), 'red ok');
});

test('C1 controls (U+0080–U+009F) go, including the one-character CSI and OSC forms with what they carry', () => {
  assert.equal(printableText('a\u009b2Jb\u009d0;title\u009cc\u0085d'), 'abcd');
});

test('carriage returns, backspaces, bells, form feeds and NUL go; a CR LF becomes a newline', () => {
  assert.equal(printableText('one\r\ntwo\rTWO\b\b\u0007\f\v\u0000\u007f'), 'one\ntwoTWO');
});

test('bidirectional overrides and isolates go (they would make a line read in another order)', () => {
  assert.equal(printableText('abc\u202edcba\u202c \u2066x\u2069'), 'abcdcba x');
});

test('newlines and tabs stay in text; Japanese, emoji (with joiners and variation selectors) and accents stay as they are', () => {
  const text = 'こんにちは、世界。\n\tcafé 👩‍👩‍👧 ❤️ 🇯🇵 Ωmega — “quotes” …';
  assert.equal(printableText(text), text);
});

test('nothing a terminal obeys survives, whatever bytes come in', () => {
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const alphabet = ['\u001b', '[', ']', '\\', '\u0007', '\u009b', '\u009d', '\u009c', '\r', '\n', 'P', '_', '0', ';', 'm', 'x', '語', '\u202e', '\u0090'];
  for (let round = 0; round < 2000; round++) {
    let text = '';
    for (let i = 0; i < 24; i++) text += alphabet[Math.floor(random() * alphabet.length)];
    assert.doesNotMatch(printableText(text), TERMINAL_CONTROL, JSON.stringify(text));
    assert.doesNotMatch(printableLine(text), /[\n\t]/, JSON.stringify(text));
  }
});

test('a line keeps no line breaks or tabs: each run of them is one space', () => {
  assert.equal(printableLine('first\nsecond\r\n\tthird\u2028fourth'), 'first second third fourth');
});

test('shortened leaves a short line alone and cuts a long one to the limit, with an ellipsis in the middle', () => {
  assert.equal(shortened('short'), 'short');
  const long = `${'a'.repeat(100_000)}${'z'.repeat(100_000)}`;
  const cut = shortened(long);
  assert.equal(cut.length, MAX_LINE_LENGTH);
  assert.equal(cut, `${'a'.repeat(200)}…${'z'.repeat(99)}`, 'the first 200 characters, the last 99');
  assert.equal(shortened('abcdef', 4), 'ab…f');
  assert.equal(shortened('abcdef', 6), 'abcdef');
});

test('a cut line keeps its end: the file name and the reason at the end of an error stay readable', () => {
  const path = `/home/me/${'a-very-long-folder-name/'.repeat(20)}answer.wav`;
  const cut = shortened(`cannot write --output ${path}: permission denied`);
  assert.ok(cut.length <= MAX_LINE_LENGTH, `got ${cut.length} characters`);
  assert.ok(cut.startsWith('cannot write --output /home/me/a-very-long-folder-name/'), cut);
  assert.ok(cut.endsWith('/answer.wav: permission denied'), cut);
  assert.equal(cut.split('…').length, 2, 'one ellipsis');
});

test('shortened never splits an emoji in half, on either side of the cut', () => {
  const emoji = '😀'.repeat(10);
  for (const [text, max] of [[`ab${emoji}`, 6], [`ab${emoji}`, 7], [`${emoji}ab`, 6], [`a${emoji}`, 9], [emoji, 8], [emoji, 9]] as const) {
    const cut = shortened(text, max);
    assert.ok(cut.length <= max, `${text} to ${max}: ${cut}`);
    assert.ok(cut.includes('…'));
    assert.doesNotMatch(cut, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, `${text} to ${max}: ${JSON.stringify(cut)}`);
  }
  assert.equal(shortened(`ab${emoji}`, 6), 'ab😀…');
});

test('outside UTF-8 the cut is marked "..." and the line still fits; an ellipsis in the text itself stays', () => {
  const text = `${'a'.repeat(200)}…${'b'.repeat(200)}`;
  const cut = inAsciiLocale(() => shortened(text, 30));
  assert.equal(cut.length, 30);
  assert.match(cut, /^a+\.\.\.b+$/);
  assert.equal(inAsciiLocale(() => shortened('short… text', 30)), 'short… text');
});
