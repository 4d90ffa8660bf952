import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asWritten, own } from '../src/own-text.js';
import { inAsciiLocale as inAscii } from './helpers/own-text-in-ascii.js';

test('a line kaiwa composes is written as it is until the CLI chooses otherwise', () => {
  assert.equal(own`usage: ${'in 3'} · ${'$0.01'} → ok…`, 'usage: in 3 · $0.01 → ok…');
});

test('outside UTF-8 the symbols in kaiwa\'s own parts of a line become ASCII; the values put in stay as they are', () => {
  inAscii(() => {
    const said = 'Café · Noir → 日本…';
    assert.equal(own`tool ${'x'} → ok in ${8} ms: ${said}…`, 'tool x -> ok in 8 ms: Café · Noir → 日本…...');
    assert.equal(own` · `, ' | ');
    assert.equal(own`${said}`, said);
    assert.equal(own`no symbols, ${undefined} and ${null}`, 'no symbols, undefined and null');
  });
});

test('asWritten: what it composes keeps the symbols (a file, not the terminal), and the choice comes back after it, thrown or not', () => {
  inAscii(() => {
    assert.equal(asWritten(() => own`a · b`), 'a · b');
    assert.throws(() => asWritten(() => { throw new Error('boom'); }), /boom/);
    assert.equal(own`a · b`, 'a | b');
  });
});

test('a second copy of the module (the CLI bundle has one, modules left in dist load another) follows the same choice', async () => {
  const copy = await import(`../src/own-text.ts?copy=${Date.now()}`) as typeof import('../src/own-text.js');
  assert.notEqual(copy.own, own, 'a separate copy of the module');
  inAscii(() => assert.equal(copy.own`a · b`, 'a | b'));
  assert.equal(copy.own`a · b`, 'a · b');
});
