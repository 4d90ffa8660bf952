import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { ASCII_FORMS, AS_WRITTEN, IN_ASCII, ownTextFor } from '../../src/cli/own-symbols.js';
import { textWidth } from '../../src/cli/tui/text-width.js';

test('every symbol of kaiwa has an ASCII form made of printable ASCII, and is measured as one cell', () => {
  for (const [symbol, ascii] of Object.entries(ASCII_FORMS)) {
    assert.match(ascii, /^[\x20-\x7e]+$/, symbol);
    assert.equal(textWidth(symbol), 1, symbol);
    assert.equal(stringWidth(symbol), 1, `${symbol}: string-width agrees`);
  }
});

test('in a locale that is not UTF-8 kaiwa\'s symbols become ASCII, other text stays as it is', () => {
  assert.equal(ownTextFor({ LANG: 'C' }), IN_ASCII);
  assert.equal(ownTextFor({ LANG: 'en_US.UTF-8' }), AS_WRITTEN);
  assert.equal(IN_ASCII('● listening · 12→34 tok …'), '* listening | 12->34 tok ...');
  assert.equal(IN_ASCII('日本語 café'), '日本語 café');
  assert.equal(AS_WRITTEN('● listening'), '● listening');
});

test('the symbols of kaiwa\'s lines (summaries, serve, replay, live notes) have ASCII forms too; its emoji, two cells wide, one of its own', () => {
  assert.equal(IN_ASCII('at 1.5× · 8–48 kHz ⋯ backend'), 'at 1.5x | 8-48 kHz ... backend');
  assert.equal(IN_ASCII('⏰ timer "tea" is up'), '(!) timer "tea" is up');
  assert.equal(textWidth('⏰'), 2);
});
