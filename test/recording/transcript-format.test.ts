import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TranscriptBuilder } from '../../src/recording/transcript-builder.js';
import { formatEntryLine, renderMarkdown } from '../../src/recording/transcript-format.js';
import type { EventRecord } from '../../src/recording/recording-files.js';
import { inAsciiLocale } from '../helpers/own-text-in-ascii.js';

/** Every character a terminal could take as an instruction (tab and newline are layout). */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = '\u001b]0;TITLE\u0007\u001b[2J\u009b1m';

function hostileSession(): TranscriptBuilder {
  const transcript = new TranscriptBuilder({ model: 'gpt-realtime' });
  const server = (t: number, event: Record<string, unknown>): EventRecord => ({ t, dir: 'server', event: event as EventRecord['event'] });
  const records: EventRecord[] = [
    server(0, { type: 'session.created', session: { model: `gpt-${HOSTILE}realtime` } }),
    server(10, { type: 'input_audio_buffer.committed', item_id: 'u1' }),
    server(20, { type: 'conversation.item.input_audio_transcription.completed', item_id: 'u1', transcript: `こんにちは${HOSTILE} 👋` }),
    server(30, { type: 'response.output_item.added', item: { type: 'message', role: 'assistant', id: 'a1' } }),
    server(40, { type: 'response.output_audio_transcript.done', item_id: 'a1', transcript: `Hello${HOSTILE}\nthere` }),
    server(50, { type: 'response.function_call_arguments.done', name: `get_${HOSTILE}time`, call_id: 'c1', arguments: `{"zone":"${HOSTILE}"}` }),
    { t: 60, dir: 'client', event: { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: 'c1', output: `12:00${HOSTILE}` } } },
    server(70, { type: 'error', error: { message: `bad${HOSTILE}`, code: `c${HOSTILE}` } }),
  ];
  for (const record of records) transcript.add(record);
  return transcript;
}

test('transcript.md keeps what the server said but none of its control sequences, Japanese and emoji intact', () => {
  const markdown = renderMarkdown(hostileSession(), { sampleRate: 24000 });
  assert.doesNotMatch(markdown, TERMINAL_CONTROL, JSON.stringify(markdown));
  assert.match(markdown, /- Model: gpt-realtime\n/);
  assert.match(markdown, /You:\*\* こんにちは 👋/);
  assert.match(markdown, /Assistant:\*\* Hello\nthere/);
  assert.match(markdown, /Tool call:\*\* `get_time\(\{"zone":""\}\)`/);
  assert.match(markdown, /Tool result \(get_time\):\*\* 12:00/);
  assert.match(markdown, /Error:\*\* bad \(c\)/);
});

test('kaiwa replay\'s lines carry no control sequences either', () => {
  for (const entry of hostileSession().entries) assert.doesNotMatch(formatEntryLine(entry), TERMINAL_CONTROL);
});

test('outside UTF-8 kaiwa replay\'s usage line is ASCII, while transcript.md, a file, keeps its symbols', () => {
  const transcript = new TranscriptBuilder({ model: 'gpt-realtime', free: true });
  transcript.add({ t: 10, dir: 'server', event: { type: 'response.done', response: { usage: { input_tokens: 3, output_tokens: 2 } } } as EventRecord['event'] });
  const usage = transcript.entries.find((entry) => entry.kind === 'usage')!;
  const { line, markdown } = inAsciiLocale(() => ({ line: formatEntryLine(usage), markdown: renderMarkdown(transcript, { sampleRate: 24000 }) }));
  assert.match(line, /^\[00:00\.0\] Tokens: in \d+ .* \| out \d+ .* \| free$/);
  assert.match(markdown, /^_\[00:00\.0\] Tokens: in \d+ .* · out \d+ .* · free_$/m);
});
