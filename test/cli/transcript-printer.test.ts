import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TranscriptPrinter } from '../../src/cli/transcript-printer.js';
import { IN_ASCII } from '../../src/cli/own-symbols.js';
import { inAsciiLocale } from '../helpers/own-text-in-ascii.js';
import { initialConversation, reduceConversation, type ConversationState } from '../../src/client/conversation.js';
import type { ServerEvent } from '../../src/protocol/events.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';

function play(events: object[], holdMs = 10_000): string {
  let out = '';
  const printer = new TranscriptPrinter({ write: (text) => { out += text; }, holdMs });
  let state: ConversationState = initialConversation;
  for (const event of events as ServerEvent[]) {
    state = reduceConversation(state, event);
    printer.handle(event, state);
  }
  printer.finish();
  return out;
}

test('the user line is printed above the reply even when its transcript arrives late', () => {
  const events = gaVoiceTurn({ userTranscript: 'おはよう', assistantTranscript: 'おはようございます。 今日も 良い天気。', audioChunks: [Buffer.alloc(2), Buffer.alloc(2)] });
  assert.equal(play(events), 'you: おはよう\nassistant: おはようございます。 今日も 良い天気。\n');
});

test('the reply streams delta by delta when no user transcript is pending', () => {
  let out = '';
  const printer = new TranscriptPrinter({ write: (text) => { out += text; } });
  let state: ConversationState = initialConversation;
  const events = gaVoiceTurn({ assistantTranscript: 'one two three', audioChunks: [] }) as ServerEvent[];
  const snapshots: string[] = [];
  for (const event of events) {
    state = reduceConversation(state, event);
    printer.handle(event, state);
    if (event.type === 'response.output_audio_transcript.delta') snapshots.push(out);
  }
  assert.deepEqual(snapshots, ['assistant: one ', 'assistant: one two ', 'assistant: one two three']);
});

test('a reply cut off by cancellation ends with a dash', () => {
  const events = gaVoiceTurn({ assistantTranscript: 'I was saying', audioChunks: [] }) as Array<{ type: string; response?: { status: string } }>;
  const cut = events.filter((event) => !event.type.endsWith('transcript.done') && event.type !== 'response.output_item.done');
  const done = cut.at(-1)!;
  done.response = { ...done.response!, status: 'cancelled' };
  assert.equal(play(cut), 'assistant: I was saying —\n');
});

test('a user transcript that never comes does not hold the reply forever (mock timers)', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let out = '';
  const printer = new TranscriptPrinter({ write: (text) => { out += text; }, holdMs: 30 });
  let state: ConversationState = initialConversation;
  const events = gaVoiceTurn({ userTranscript: 'x', assistantTranscript: 'reply', audioChunks: [] }) as ServerEvent[];
  for (const event of events.filter((e) => e.type !== 'conversation.item.input_audio_transcription.completed' && e.type !== 'response.done' && !e.type.endsWith('.done'))) {
    state = reduceConversation(state, event);
    printer.handle(event, state);
  }
  assert.equal(out, '');
  t.mock.timers.tick(29);
  assert.equal(out, '', 'held for holdMs');
  t.mock.timers.tick(1);
  assert.equal(out, 'assistant: reply');
});

test('speech in which no words were recognized is shown as such, not as a bare "you: "', () => {
  const events = gaVoiceTurn({ userTranscript: '', assistantTranscript: "I didn't catch anything.", audioChunks: [] });
  assert.equal(play(events), "you: (no words recognized)\nassistant: I didn't catch anything.\n");
});

test('the printer\'s own marks follow the terminal\'s charset; the reply itself is written as it is', () => {
  const events = gaVoiceTurn({ assistantTranscript: 'Ça — va', audioChunks: [] }) as Array<{ type: string; response?: { status: string } }>;
  const cut = events.filter((event) => !event.type.endsWith('transcript.done') && event.type !== 'response.output_item.done');
  const done = cut.at(-1)!;
  done.response = { ...done.response!, status: 'cancelled' };
  let out = '';
  const printer = new TranscriptPrinter({ write: (text) => { out += text; }, own: IN_ASCII });
  let state: ConversationState = initialConversation;
  for (const event of cut as ServerEvent[]) {
    state = reduceConversation(state, event);
    printer.handle(event, state);
  }
  printer.interrupted('other', 1200);
  assert.equal(out, 'assistant: Ça — va --\nassistant: -- [interrupted after 1.2 s]\n');
});

test('given no OwnText, the printer\'s marks follow the process\'s one choice (the CLI makes it from the locale)', () => {
  let out = '';
  const printer = new TranscriptPrinter({ write: (text) => { out += text; } });
  inAsciiLocale(() => printer.interrupted('other', 1200));
  assert.equal(out, 'assistant: -- [interrupted after 1.2 s]\n');
});

/** Plays a reply, breaking its line off (as a log line to the same place does) after the delta numbered `breakAfter`, or after its end. */
function playBroken(events: object[], breakAfter: number, onBreak: (printer: TranscriptPrinter) => void = (printer) => printer.breakLine()): string {
  let out = '';
  const printer = new TranscriptPrinter({ write: (text) => { out += text; } });
  let state: ConversationState = initialConversation;
  let deltas = 0;
  for (const event of events as ServerEvent[]) {
    state = reduceConversation(state, event);
    printer.handle(event, state);
    if (event.type === 'response.output_audio_transcript.delta' && ++deltas === breakAfter) onBreak(printer);
  }
  printer.finish();
  return out;
}

test('a line broken off for a log line goes on under "assistant: …"; broken twice in a row, once', () => {
  const events = gaVoiceTurn({ assistantTranscript: 'one two three', audioChunks: [] });
  assert.equal(playBroken(events, 1), 'assistant: one \nassistant: …two three\n');
  assert.equal(playBroken(events, 1, (printer) => { printer.breakLine(); printer.breakLine(); }), 'assistant: one \nassistant: …two three\n');
});

test('a line broken off after its last delta ends without an empty resumed line; cut off, the mark comes under "assistant: …"', () => {
  const events = gaVoiceTurn({ assistantTranscript: 'one two', audioChunks: [] });
  assert.equal(playBroken(events, 2), 'assistant: one two\n');
  let out = '';
  const printer = new TranscriptPrinter({ write: (text) => { out += text; } });
  let state: ConversationState = initialConversation;
  for (const event of (events as ServerEvent[]).filter((event) => !event.type.endsWith('.done'))) {
    state = reduceConversation(state, event);
    printer.handle(event, state);
  }
  printer.breakLine();
  printer.connectionLost();
  assert.equal(out, 'assistant: one two\nassistant: … — [connection lost]\n');
});

test('breaking off with no line open writes nothing', () => {
  let out = '';
  const printer = new TranscriptPrinter({ write: (text) => { out += text; } });
  printer.breakLine();
  printer.finish();
  assert.equal(out, '');
});
