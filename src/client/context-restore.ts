import type { ItemView } from './conversation.js';
import type { Item } from '../protocol/events.js';

/**
 * The conversation as items a new session can be given so the model keeps its context:
 * what was said (typed, or transcribed), what the assistant answered (its transcript),
 * and tool calls with their outputs. Audio is not re-sent: text is what the model needs,
 * and it costs a fraction of the tokens. The messages of `askedAgain`, a response that is
 * asked for again, are left out: its new answer starts afresh (its tool calls stay, with
 * their outputs).
 */
export function restorableItems(items: readonly ItemView[], askedAgain?: string): Item[] {
  const restored: Item[] = [];
  for (const item of items) {
    if (askedAgain !== undefined && item.kind === 'message' && item.responseId === askedAgain) continue;
    const converted = toItem(item);
    if (converted) restored.push(converted);
  }
  return restored;
}

function toItem(item: ItemView): Item | undefined {
  // A call cut off before its arguments were complete never ran; the model can ask again.
  if (item.kind === 'function_call' && item.callId && item.functionName && item.status === 'completed') {
    return { type: 'function_call', call_id: item.callId, name: item.functionName, arguments: item.text || '{}' };
  }
  if (item.kind === 'function_call_output' && item.callId) {
    return { type: 'function_call_output', call_id: item.callId, output: item.text };
  }
  if (item.kind !== 'message' || item.text.trim() === '') return undefined;
  if (item.speaker === 'assistant') {
    return { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: item.text }] };
  }
  if (item.speaker === 'user' || item.speaker === 'system') {
    return { type: 'message', role: item.speaker, content: [{ type: 'input_text', text: item.text }] };
  }
  return undefined;
}
