/**
 * `--engine echo`, the offline default: no model, so it answers by repeating what it
 * understood ("You said: …"), which makes every part of the pipeline observable without
 * pretending to think.
 *
 * It calls a declared tool when the user's last words ask for one (case-insensitive; a
 * tool named get_weather may also be said as "get weather"):
 *   - "call <tool>", "call the <tool> tool", "use <tool>", "use the <tool> tool"
 * with arguments taken from the same text:
 *   - a JSON object anywhere in it:  call get_weather {"city": "Paris"}
 *   - or "with <key> <value> [and <key> <value>]…":  use the get_weather tool with city Paris and unit celsius
 *     (numbers, true/false and null become JSON values; anything else is a string)
 * It also calls a tool when `tool_choice` names one (or is "required": the first tool),
 * and never when tool_choice is "none". After a tool result it reports what the tool returned.
 * Asked to speak again with nothing new from the user (an idle timeout, or a second
 * response.create), it asks "Are you still there?".
 */
import type { EngineChunk, EngineMessage, EngineRequest, ReplyEngine } from './reply-engine.js';
import type { FunctionTool } from '../../protocol/events.js';
import { randomBytes } from 'node:crypto';

export class EchoEngine implements ReplyEngine {
  readonly name = 'echo';

  async *reply(request: EngineRequest): AsyncIterable<EngineChunk> {
    const last = request.messages.at(-1);
    if (last?.role === 'tool_result') {
      yield* words(toolResultReply(last.output, toolName(request.messages, last.callId)), request.signal);
      return;
    }
    if (last?.role === 'assistant') {
      yield* words('Are you still there?', request.signal);
      return;
    }
    const heard = lastUserText(request.messages);
    // Only a fresh user turn asks for a tool; re-reading an old request would loop.
    const call = last?.role === 'user' ? requestedCall(heard, request) : undefined;
    if (call) {
      yield { type: 'tool_call', callId: `call_${randomBytes(12).toString('hex')}`, name: call.name, arguments: call.arguments };
      return;
    }
    yield* words(heard.trim() === '' ? "I didn't catch anything." : `You said: ${heard.trim()}`, request.signal);
  }
}

function* words(text: string, signal: AbortSignal): Iterable<EngineChunk> {
  for (const piece of text.match(/\S+\s*/g) ?? []) {
    if (signal.aborted) return;
    yield { type: 'text', delta: piece };
  }
}

function lastUserText(messages: readonly EngineMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'user') return message.text;
  }
  return '';
}

function toolName(messages: readonly EngineMessage[], callId: string): string | undefined {
  const call = messages.find((message) => message.role === 'tool_call' && message.callId === callId);
  return call?.role === 'tool_call' ? call.name : undefined;
}

function toolResultReply(output: string, name: string | undefined): string {
  return `${name ? `The ${name} tool` : 'The tool'} returned: ${output.trim() === '' ? 'nothing' : output.trim()}`;
}

interface PlannedCall {
  name: string;
  arguments: string;
}

function requestedCall(text: string, request: EngineRequest): PlannedCall | undefined {
  const tools = request.tools.filter((tool): tool is FunctionTool & { name: string } => typeof tool.name === 'string');
  if (tools.length === 0 || request.toolChoice === 'none') return undefined;
  const forced = tools.find((tool) => tool.name === request.toolChoice)
    ?? (request.toolChoice === 'required' ? tools[0] : undefined);
  for (const tool of forced ? [forced] : tools) {
    const after = mentionEnd(text, tool.name);
    if (after !== undefined || forced) {
      return { name: tool.name, arguments: JSON.stringify(argumentsIn(text, text.slice(after ?? 0))) };
    }
  }
  return undefined;
}

/** Where "call get_weather", "use the get weather tool", … ends in the text (see the phrases above). */
function mentionEnd(text: string, name: string): number | undefined {
  const spoken = [name, name.replace(/[_-]+/g, ' ')].map(escapeRegExp).join('|');
  const pattern = new RegExp(`\\b(?:call|use)\\s+(?:the\\s+)?(?:${spoken})(?:\\s+tool)?(?![\\w-])`, 'i');
  const match = pattern.exec(text);
  return match ? match.index + match[0].length : undefined;
}

/** A JSON object anywhere in the text, else the "with key value" clause after the tool's name. */
function argumentsIn(text: string, afterMention: string): Record<string, unknown> {
  const json = jsonObjectIn(text);
  if (json) return json;
  const args: Record<string, unknown> = {};
  const clause = afterMention.match(/\bwith\s+(.+)$/is)?.[1];
  if (!clause) return args;
  for (const pair of clause.split(/\s+and\s+/i)) {
    const match = pair.trim().match(/^([A-Za-z_][\w-]*)\s+(.+?)[.!?]*$/s);
    if (match) args[match[1]!] = scalar(match[2]!.trim());
  }
  return args;
}

function jsonObjectIn(text: string): Record<string, unknown> | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  try {
    const parsed: unknown = JSON.parse(text.slice(start, end + 1));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

function scalar(value: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 'null') return null;
  return value.replace(/^["']|["']$/g, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
