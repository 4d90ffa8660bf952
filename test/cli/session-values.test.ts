import assert from 'node:assert/strict';
import test from 'node:test';
import { languageList } from '../../src/cli/session-values.js';

test('language codes people really type pass as given', () => {
  assert.equal(languageList('ja'), 'ja');
  assert.equal(languageList('ja, en'), 'ja,en');
  assert.equal(languageList('en-US'), 'en-US');
  assert.equal(languageList('yue'), 'yue');
});

test('a country code given for a language is refused with the language it likely means', () => {
  assert.throws(() => languageList('jp'), /"jp" is not a language code \(did you mean ja\?\)/);
  assert.throws(() => languageList('en,cn'), /"cn" is not a language code \(did you mean zh\?\)/);
  assert.throws(() => languageList('ua'), /did you mean uk\?/);
});

test('a code no language has is refused, even when it is shaped like one', () => {
  assert.throws(() => languageList('xx'), /"xx" is not a language code: use ISO-639-1 codes such as ja or en/);
  assert.throws(() => languageList('japanese'), /"japanese" is not a language code/);
});
