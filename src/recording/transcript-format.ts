import { formatTokens } from '../cost/token-format.js';
import type { TranscriptBuilder, TranscriptEntry } from './transcript-builder.js';
import { CONVERSATION_WAV } from './recording-files.js';
import { printableLine, printableText } from '../terminal-text.js';
import { asWritten, own } from '../own-text.js';

/** `01:02.3`, or `1:01:02.3` past an hour: short, and sorts the way it reads. */
export function formatTimestamp(ms: number): string {
  const tenths = Math.max(0, Math.round(ms / 100));
  const hours = Math.floor(tenths / 36000);
  const minutes = Math.floor((tenths % 36000) / 600);
  const seconds = ((tenths % 600) / 10).toFixed(1).padStart(4, '0');
  const mm = String(minutes).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${seconds}` : `${mm}:${seconds}`;
}

export function formatUsd(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
}

/**
 * Speaker (or kind) and text of an entry, shared by transcript.md and `kaiwa replay`. They
 * are what the server said (and tool names it chose): printable, so neither `cat
 * transcript.md` nor a replay lets an escape sequence loose on the terminal.
 */
export function describeEntry(entry: TranscriptEntry): { label: string; text: string } {
  const { label, text } = entryWords(entry);
  return { label: printableLine(label), text: printableText(text) };
}

function entryWords(entry: TranscriptEntry): { label: string; text: string } {
  switch (entry.kind) {
    case 'user':
      return { label: 'You', text: entry.text || (entry.pending ? '(speech, no transcript)' : '(silence)') };
    case 'assistant':
      return { label: 'Assistant', text: `${entry.text}${interruptionNote(entry)}`.trim() || '(no words)' };
    case 'tool-call':
      return { label: 'Tool call', text: `${entry.toolName}(${entry.text})` };
    case 'tool-result':
      return { label: `Tool result (${entry.toolName})`, text: entry.text };
    case 'usage':
      return { label: 'Tokens', text: `${entry.tokens ? formatTokens(entry.tokens) : ''}${usageCost(entry)}` };
    case 'error':
      return { label: 'Error', text: entry.text };
  }
}

function usageCost(entry: TranscriptEntry): string {
  if (entry.free) return own` · free`;
  return entry.costUsd === undefined ? '' : own` · ${formatUsd(entry.costUsd)}`;
}

/** One line per entry, as `kaiwa replay` prints them. */
export function formatEntryLine(entry: TranscriptEntry): string {
  const { label, text } = describeEntry(entry);
  return `[${formatTimestamp(entry.atMs)}] ${label}: ${text}`;
}

export interface MarkdownHeader {
  sampleRate: number;
}

/**
 * transcript.md, a file read later and anywhere: kaiwa's symbols in it are as written, not in
 * the charset of the terminal it was recorded from.
 */
export function renderMarkdown(transcript: TranscriptBuilder, header: MarkdownHeader): string {
  return asWritten(() => markdownOf(transcript, header));
}

function markdownOf(transcript: TranscriptBuilder, header: MarkdownHeader): string {
  const lines = ['# kaiwa conversation', ''];
  if (transcript.startedAt) lines.push(`- Started: ${transcript.startedAt}`);
  lines.push(`- Model: ${transcript.model}`);
  lines.push(`- Audio: ${CONVERSATION_WAV} (stereo, ${header.sampleRate} Hz; left: you, right: assistant)`);
  lines.push(`- Cost: ${describeTotal(transcript)}`, '');
  for (const entry of transcript.entries) lines.push(markdownEntry(entry), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

function markdownEntry(entry: TranscriptEntry): string {
  const { label, text } = describeEntry(entry);
  const stamp = `[${formatTimestamp(entry.atMs)}]`;
  switch (entry.kind) {
    case 'usage': return `_${stamp} ${label}: ${text}_`;
    case 'tool-call': return `**${stamp} ${label}:** \`${text.replaceAll('`', "'")}\``;
    default: return `**${stamp} ${label}:** ${text}`;
  }
}

function interruptionNote(entry: TranscriptEntry): string {
  if (!entry.interrupted) return '';
  const heard = entry.interrupted.heardMs;
  return heard === undefined ? ' (interrupted)' : ` (interrupted after ${(heard / 1000).toFixed(1)} s)`;
}

function describeTotal(transcript: TranscriptBuilder): string {
  const over = overWhat(transcript);
  if (transcript.free) return `free (kaiwa's built-in local server) ${over}`;
  const total = transcript.totalCostUsd;
  if (total === undefined) {
    const where = transcript.billedSeconds === undefined ? '; add one in the config file' : ' per minute';
    return `unknown (no price for model ${transcript.model}${where}) ${over}`;
  }
  return `${formatUsd(total)} ${over}`;
}

/** What the cost was for: the responses, and for a session billed by the minute (GPT-Live) its time. */
export function overWhat(transcript: TranscriptBuilder): string {
  const count = transcript.responseCount;
  const responses = `over ${count} response${count === 1 ? '' : 's'}`;
  const seconds = transcript.billedSeconds;
  return seconds === undefined ? responses : `for ${seconds.toFixed(1)} s of session time ${responses}`;
}
