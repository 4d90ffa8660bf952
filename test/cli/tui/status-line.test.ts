import { test } from 'node:test';
import assert from 'node:assert/strict';
import stringWidth from 'string-width';
import { fitWidth, helpRows, levelMeter, statusLine } from '../../../src/cli/tui/status-line.js';
import { IN_ASCII } from '../../../src/cli/own-symbols.js';
import { inAsciiLocale } from '../../helpers/own-text-in-ascii.js';
import { loadPreciseWidths } from '../../../src/cli/tui/text-width.js';
import { initialUi, reduceUi, type UiState } from '../../../src/cli/tui/ui-state.js';
import type { ServerEvent } from '../../../src/protocol/events.js';

const server = (type: string, extra: object = {}): { type: 'server'; event: ServerEvent } => ({ type: 'server', event: { type, event_id: 'e', ...extra } as unknown as ServerEvent });

test('the status follows a voice turn: listening, speaking, thinking, assistant, listening', () => {
  let state: UiState = reduceUi(initialUi({ offline: false, pushToTalk: false }), { type: 'connected' });
  const phases = [state.phase];
  for (const action of [
    server('input_audio_buffer.speech_started', { item_id: 'u', audio_start_ms: 0 }),
    server('input_audio_buffer.speech_stopped', { item_id: 'u', audio_end_ms: 1 }),
    server('response.created', { response: {} }),
    { type: 'audible', audible: true } as const,
    server('response.done', { response: {} }),
    { type: 'audible', audible: false } as const,
  ]) {
    state = reduceUi(state, action);
    phases.push(state.phase);
  }
  assert.deepEqual(phases, ['listening', 'user-speaking', 'thinking', 'thinking', 'assistant-speaking', 'assistant-speaking', 'listening']);
});

test('muted and offline are shown', () => {
  let state = reduceUi(initialUi({ offline: true, pushToTalk: false }), { type: 'connected' });
  state = reduceUi(state, { type: 'mute', muted: true });
  const line = statusLine(state, 200);
  assert.match(line, /muted/);
  assert.match(line, /offline/);
});

test('wide characters are measured as two cells and cut to fit', () => {
  const text = '日本語のとても長い状態表示の行です';
  const cut = fitWidth(text, 11);
  assert.ok(stringWidth(cut) <= 11, `${cut} is ${stringWidth(cut)} cells`);
  assert.ok(cut.endsWith('…'));
  assert.equal(fitWidth('短い', 10), '短い');
  const state = reduceUi(initialUi({ offline: false, pushToTalk: false }), { type: 'notice', text: 'ツールを実行中：天気を確認しています' });
  for (const width of [20, 33, 47, 80]) assert.ok(stringWidth(statusLine(state, width)) <= width);
});

test('a cut keeps the longest prefix that fits and never splits a character', async () => {
  await loadPreciseWidths();
  // Combining accents, a family emoji (one grapheme of 7 code points), CJK and the status line's symbols.
  const text = 'Cafe\u0301 👨‍👩‍👧‍👦 会話 ● ▮▮▯ 12→34 tok $0.0123 ? help';
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const graphemes = [...segmenter.segment(text)].map((g) => g.segment);
  for (let width = 2; width < stringWidth(text); width++) {
    const cut = fitWidth(text, width);
    assert.ok(stringWidth(cut) <= width, `${cut} is ${stringWidth(cut)} cells, more than ${width}`);
    const kept = [...segmenter.segment(cut.slice(0, -1))].map((g) => g.segment);
    assert.deepEqual(kept, graphemes.slice(0, kept.length), `"${cut}" splits a character`);
    const next = graphemes[kept.length]!;
    assert.ok(stringWidth(kept.join('') + next) > width - 1, `"${cut}" could have kept "${next}" at ${width} cells`);
  }
});

test('the level meter spans quiet to loud', () => {
  assert.equal(levelMeter(-100), '▯▯▯▯▯▯▯▯▯▯');
  assert.equal(levelMeter(0), '▮▮▮▮▮▮▮▮▮▮');
  assert.equal(levelMeter(-30), '▮▮▮▮▮▯▯▯▯▯');
});

test('GPT-Live, billed by session time, shows its minutes and cost where the Realtime API shows tokens', () => {
  let state = reduceUi(initialUi({ offline: false, pushToTalk: false, billedBy: 'session-time' }), { type: 'connected' });
  assert.match(statusLine(state, 200), /  0 s  \? help/);
  state = reduceUi(state, { type: 'session-time', seconds: 72.4, costUsd: 0.0603 });
  const line = statusLine(state, 200);
  assert.match(line, /1 min 12 s \$0\.0603/);
  assert.doesNotMatch(line, /tok/);
  const offline = reduceUi(initialUi({ offline: true, pushToTalk: false, billedBy: 'session-time' }), { type: 'session-time', seconds: 5, costUsd: 0 });
  assert.match(statusLine(offline, 200), /5 s free/);
});

test('in a narrow terminal the status keeps its state words: help, meter and tokens go first, and only then is it cut', () => {
  const typing = reduceUi(initialUi({ offline: true, pushToTalk: false, microphone: false }), { type: 'connected' });
  assert.equal(statusLine(typing, 60), '✎ no microphone · type to talk · offline (local server)');
  assert.equal(statusLine(typing, 40), '✎ no microphone · type to talk · offline');
  assert.equal(statusLine(typing, 30), '✎ no microphone · type to talk');
  assert.equal(statusLine(typing, 29), 'no microphone · type to talk');
  assert.equal(statusLine(typing, 20), 'no microphone · typ…');
  const listening = reduceUi(initialUi({ offline: true, pushToTalk: false }), { type: 'connected' });
  assert.equal(statusLine(listening, 40), '● listening · offline (local server)');
  assert.equal(statusLine(listening, 24), '● listening · offline');
  const reconnecting = reduceUi(initialUi({ offline: false, pushToTalk: false }), { type: 'notice', text: 'reconnecting…' });
  assert.equal(statusLine(reconnecting, 30), '… connecting  reconnecting…');
  for (const width of [10, 15, 20, 25, 30, 35, 40]) {
    for (const state of [typing, listening, reconnecting]) assert.ok(stringWidth(statusLine(state, width)) <= width, `${statusLine(state, width)} at ${width}`);
  }
});

test('in ASCII (a locale that is not UTF-8) the status, meter and help have no other character, and still fit', () => {
  const onlyAscii = /^[\x20-\x7e]*$/;
  assert.equal(levelMeter(-30, IN_ASCII), '#####-----');
  const typing = reduceUi(initialUi({ offline: true, pushToTalk: false, microphone: false }), { type: 'connected' });
  assert.equal(statusLine(typing, 60, IN_ASCII), '> no microphone | type to talk | offline (local server)');
  assert.equal(statusLine(typing, 20, IN_ASCII), 'no microphone | t...', 'the cut leaves room for the three dots');
  const speaking = reduceUi(reduceUi(initialUi({ offline: false, pushToTalk: false }), { type: 'connected' }), { type: 'level', dbfs: -30 });
  const muted = reduceUi(speaking, { type: 'notice', text: 'reconnecting…' });
  for (const width of [10, 15, 20, 25, 30, 35, 40, 60, 200]) {
    for (const state of [typing, speaking, muted]) {
      const line = statusLine(state, width, IN_ASCII);
      assert.match(line, onlyAscii, line);
      assert.ok(line.length <= width, `${line} at ${width}`);
    }
    for (const row of helpRows(typing, width, 3, IN_ASCII)) {
      assert.match(row, onlyAscii, row);
      assert.ok(row.length <= width, `${row} at ${width}`);
    }
  }
  assert.match(statusLine(speaking, 200, IN_ASCII), /^\* listening  #####-----  0->0 tok  \? help$/);
});

test('given no OwnText, the status, meter and help follow the process\'s one choice (the CLI makes it from the locale)', () => {
  const typing = reduceUi(initialUi({ offline: true, pushToTalk: false, microphone: false }), { type: 'connected' });
  assert.equal(statusLine(typing, 60), '✎ no microphone · type to talk · offline (local server)', 'as written until chosen');
  inAsciiLocale(() => {
    assert.equal(levelMeter(-30), '#####-----');
    assert.equal(statusLine(typing, 60), '> no microphone | type to talk | offline (local server)');
    for (const row of helpRows(typing, 60, 3)) assert.match(row, /^[\x20-\x7e]*$/, row);
  });
});
