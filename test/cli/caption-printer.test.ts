import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CaptionPrinter } from '../../src/cli/caption-printer.js';

function screen(tty: boolean, columns = 80) {
  let out = '';
  return { printer: new CaptionPrinter({ write: (text) => { out += text; }, tty, columns: () => columns }), output: () => out };
}

test('on a terminal the partial words are drawn dimmed, then erased and replaced by the final line', () => {
  const { printer, output } = screen(true);
  printer.partial('helo');
  printer.partial('helo wrld');
  printer.line('Hello, world.');
  printer.partial('next');
  printer.finish();
  assert.equal(output(), [
    '\x1b[2mhelo\x1b[0m',
    '\r\x1b[K\x1b[2mhelo wrld\x1b[0m',
    '\r\x1b[KHello, world.\n',
    '\x1b[2mnext\x1b[0m',
    '\r\x1b[K',
  ].join(''));
});

test('a partial caption that wrapped is erased from its first row', () => {
  const { printer, output } = screen(true, 10);
  printer.partial('a'.repeat(25));
  printer.line('Done.');
  assert.ok(output().endsWith('\x1b[0m\x1b[2A\r\x1b[K\x1b[1B\x1b[K\x1b[1B\x1b[K\x1b[2ADone.\n'), JSON.stringify(output()));
});

test('on a pipe only the final lines are written', () => {
  const { printer, output } = screen(false);
  printer.partial('helo');
  printer.line('Hello.');
  printer.line('');
  printer.finish();
  assert.equal(output(), 'Hello.\n');
});

test('a caption\'s control sequences are not written: only kaiwa\'s own dim and erase reach the terminal', () => {
  const { printer, output } = screen(true);
  printer.partial('he\u001b]0;TITLE\u0007llo\nthere');
  printer.line('Hello\u001b[2J there\u009b1m 日本語');
  assert.equal(output(), [
    '\x1b[2mhello there\x1b[0m',
    '\r\x1b[KHello there 日本語\n',
  ].join(''));
});

test('on a pipe the final line loses its control sequences too', () => {
  const { printer, output } = screen(false);
  printer.line('\u001b[31mred\u001b[0m\r');
  assert.equal(output(), 'red\n');
});

test('a terminal that reports no width (0 columns) is taken as 80 wide: a short caption is erased in place, no rows above it', () => {
  const { printer, output } = screen(true, 0);
  printer.partial('helo');
  printer.line('Hello.');
  assert.equal(output(), '\x1b[2mhelo\x1b[0m\r\x1b[KHello.\n');
});
