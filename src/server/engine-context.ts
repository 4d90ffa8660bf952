/**
 * What a reply engine is shown for one response: the context items turned into plain
 * text turns, and the input tokens the same context costs (counted from the items, so
 * user audio is billed as audio even though the engine reads its transcript).
 */
import type { EngineMessage } from './engines/reply-engine.js';
import type { StoredItem } from './conversation-store.js';
import type { ToolDefinition } from './session-state.js';
import {
  MESSAGE_OVERHEAD_TOKENS, assistantAudioTokens, emptyTally, textTokens, userAudioTokens, type TokenTally,
} from './token-tally.js';

export type TranscriptOf = (stored: StoredItem) => Promise<string | undefined>;

export async function engineMessages(items: readonly StoredItem[], transcriptOf: TranscriptOf): Promise<EngineMessage[]> {
  const messages: EngineMessage[] = [];
  for (const stored of items) {
    const message = await engineMessage(stored, transcriptOf);
    if (message) messages.push(message);
  }
  return messages;
}

async function engineMessage(stored: StoredItem, transcriptOf: TranscriptOf): Promise<EngineMessage | undefined> {
  const item = stored.item;
  switch (item.type) {
    case 'function_call':
      return { role: 'tool_call', callId: item.call_id ?? item.id, name: item.name, arguments: item.arguments };
    case 'function_call_output':
      return { role: 'tool_result', callId: item.call_id, output: item.output };
    case 'message': {
      const texts: string[] = [];
      for (const [index, part] of item.content.entries()) {
        texts.push(await partText(stored, index, part, transcriptOf));
      }
      return { role: item.role, text: texts.filter((text) => text !== '').join('\n') };
    }
    default:
      return undefined;
  }
}

type AnyPart = { type?: string; text?: string; transcript?: string | null };

async function partText(stored: StoredItem, index: number, part: AnyPart, transcriptOf: TranscriptOf): Promise<string> {
  if (part.type === 'input_image') return '[an image the user attached; this server cannot see images]';
  if (part.type !== 'input_audio') return part.text ?? part.transcript ?? '';
  if (typeof part.transcript === 'string') return part.transcript;
  const recognized = await transcriptOf(stored);
  if (recognized !== undefined) return recognized;
  const seconds = ((stored.audio.get(index)?.durationMs ?? 0) / 1000).toFixed(1);
  return `[${seconds} s of speech that this server could not transcribe: no speech recognizer is installed]`;
}

/** Input tokens of a response's context (see usage.ts for the rates). */
export function contextTally(instructions: string, tools: readonly ToolDefinition[], items: readonly StoredItem[]): TokenTally {
  const tally = emptyTally();
  tally.text += textTokens(instructions) + MESSAGE_OVERHEAD_TOKENS;
  if (tools.length > 0) tally.text += textTokens(JSON.stringify(tools));
  for (const stored of items) addItem(tally, stored);
  return tally;
}

function addItem(tally: TokenTally, stored: StoredItem): void {
  const item = stored.item;
  tally.text += MESSAGE_OVERHEAD_TOKENS;
  if (item.type === 'function_call') tally.text += textTokens(item.name) + textTokens(item.arguments);
  else if (item.type === 'function_call_output') tally.text += textTokens(item.output);
  else if (item.type === 'message') {
    item.content.forEach((part: AnyPart, index) => {
      const audio = stored.audio.get(index);
      if (part.type === 'input_audio' && audio) tally.audio += userAudioTokens(audio.durationMs);
      else if (part.type === 'output_audio' && audio) tally.audio += assistantAudioTokens(audio.durationMs);
      else tally.text += textTokens(part.text ?? part.transcript ?? '');
    });
  }
}
