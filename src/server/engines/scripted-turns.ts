/**
 * The file `kaiwa serve --script FILE` reads: a conversation written in advance.
 *
 *   {
 *     "order": "sequence",                 // or "match"; see below
 *     "turns": [
 *       { "match": "weather", "reply": { "call": "get_weather", "arguments": { "city": "Paris" } } },
 *       { "after_tool": "get_weather", "reply": "It is {output} in Paris." },
 *       { "match": "/^(bye|goodbye)\\b/i", "reply": "Goodbye!" },
 *       { "match": "slow", "reply": [{ "pause": "300ms" }, { "say": "Sorry for the wait." }] },
 *       { "match": "break", "reply": { "error": { "code": "server_error", "message": "Something broke." } } }
 *     ],
 *     "default": "I have no line for: {heard}"
 *   }
 *
 * A turn answers the user's words (typed text, or speech as the recognizer heard it):
 * `match` is a case-insensitive substring, a `/regex/flags`, a list of either (any one
 * matches), or absent (anything matches). A turn with `after_tool` (true, or a tool's
 * name) answers instead the response that follows a tool's result. `order: "sequence"`
 * (the default): each turn is used once, in file order — the next unused turn answers if
 * it matches, else the default answers and the script waits. `order: "match"`: the first
 * matching turn answers, every time. A reply is a step or a list of steps: a string or
 * `{"say"}` (spoken by the local voice, or text), `{"call", "arguments", "call_id"?}`,
 * `{"error": "message" | {"type"?, "code"?, "message"}}`, `{"pause": "500ms" | ms}`.
 * `{heard}`, `{output}` and `{tool}` in a text are replaced by the user's words, the
 * tool's output and its name.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';

export type ScriptStep =
  | { kind: 'say'; text: string }
  | { kind: 'call'; name: string; arguments: string; callId: string | undefined }
  | { kind: 'error'; type: string; code: string; message: string }
  | { kind: 'pause'; ms: number };

export interface ScriptTurn {
  /** Where it is in the file, for messages. */
  index: number;
  matchers: RegExp[];
  /** undefined: a user turn; true: after any tool; a string: after that tool. */
  afterTool: true | string | undefined;
  steps: ScriptStep[];
}

export interface ReplyScriptFile {
  order: 'sequence' | 'match';
  turns: ScriptTurn[];
  fallback: ScriptStep[];
}

const DEFAULT_FALLBACK: ScriptStep[] = [{ kind: 'say', text: 'I have no scripted reply for that.' }];
const MAX_PAUSE_MS = 10 * 60_000;

/** Reads and checks a script file; any problem is one line naming the file and the place. */
export function loadReplyScript(path: string): ReplyScriptFile {
  if (/\.ya?ml$/i.test(path)) throw new UsageError(`--script ${path}: YAML is not supported; write the script as JSON`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--script ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let value: unknown;
  try {
    // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse refuses.
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`--script ${path}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
  }
  try {
    return parseReplyScript(value);
  } catch (error) {
    if (error instanceof ScriptError) throw new UsageError(`--script ${path}: ${error.message}`);
    throw error;
  }
}

class ScriptError extends Error {}

export function parseReplyScript(value: unknown): ReplyScriptFile {
  const script = object(value, 'the script');
  known(script, 'the script', ['order', 'turns', 'default']);
  const order = script.order ?? 'sequence';
  if (order !== 'sequence' && order !== 'match') throw new ScriptError(`order: expected "sequence" or "match", got ${JSON.stringify(order)}`);
  if (!Array.isArray(script.turns)) throw new ScriptError('turns: expected a list of turns');
  const turns = script.turns.map((turn, index) => parseTurn(turn, index));
  const fallback = script.default === undefined ? DEFAULT_FALLBACK : parseReply(script.default, 'default');
  return { order, turns, fallback };
}

function parseTurn(value: unknown, index: number): ScriptTurn {
  const where = `turns[${index}]`;
  const turn = object(value, where);
  known(turn, where, ['match', 'after_tool', 'reply']);
  if (turn.reply === undefined) throw new ScriptError(`${where}: a turn needs a reply`);
  if (turn.match !== undefined && turn.after_tool !== undefined && turn.after_tool !== false) {
    throw new ScriptError(`${where}: "match" and "after_tool" together (a turn after a tool's result answers the result, not words): keep one`);
  }
  const afterTool = turn.after_tool === undefined || turn.after_tool === false ? undefined : turn.after_tool;
  if (afterTool !== undefined && afterTool !== true && typeof afterTool !== 'string') {
    throw new ScriptError(`${where}.after_tool: expected true or a tool name`);
  }
  const patterns = turn.match === undefined ? [] : Array.isArray(turn.match) ? turn.match : [turn.match];
  // An empty list would match anything, as no match at all does: more likely a mistake.
  if (Array.isArray(turn.match) && patterns.length === 0) throw new ScriptError(`${where}.match: an empty list (leave "match" out to match anything)`);
  const matchers = patterns.map((pattern, i) => matcher(pattern, `${where}.match${Array.isArray(turn.match) ? `[${i}]` : ''}`));
  return { index, matchers, afterTool, steps: parseReply(turn.reply, `${where}.reply`) };
}

/** "/regex/flags" or a case-insensitive substring. */
function matcher(pattern: unknown, where: string): RegExp {
  if (typeof pattern !== 'string' || pattern === '') throw new ScriptError(`${where}: expected a non-empty string or "/regex/"`);
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (!regex) return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  try {
    // "g" and "y" make test() remember where it stopped: the same words would match once and
    // not the next time, in this session or another. A turn only asks whether they match.
    return new RegExp(regex[1]!, regex[2]!.replace(/[gy]/g, ''));
  } catch (error) {
    throw new ScriptError(`${where}: ${(error as Error).message}`);
  }
}

function parseReply(value: unknown, where: string): ScriptStep[] {
  const steps = Array.isArray(value) ? value : [value];
  if (steps.length === 0) throw new ScriptError(`${where}: an empty reply`);
  return steps.map((step, i) => parseStep(step, Array.isArray(value) ? `${where}[${i}]` : where));
}

function parseStep(value: unknown, where: string): ScriptStep {
  if (typeof value === 'string') return { kind: 'say', text: value };
  const step = object(value, where);
  if ('say' in step) {
    known(step, where, ['say']);
    return { kind: 'say', text: text(step.say, `${where}.say`) };
  }
  if ('call' in step) {
    known(step, where, ['call', 'arguments', 'call_id']);
    return {
      kind: 'call',
      name: identifier(step.call, `${where}.call`),
      arguments: callArguments(step.arguments ?? {}, `${where}.arguments`),
      callId: step.call_id === undefined ? undefined : identifier(step.call_id, `${where}.call_id`),
    };
  }
  if ('error' in step) {
    known(step, where, ['error']);
    return parseError(step.error, `${where}.error`);
  }
  if ('pause' in step) {
    known(step, where, ['pause']);
    return { kind: 'pause', ms: pause(step.pause, `${where}.pause`) };
  }
  throw new ScriptError(`${where}: expected a step: a text, {"say"}, {"call"}, {"error"} or {"pause"}`);
}

function parseError(value: unknown, where: string): ScriptStep {
  if (typeof value === 'string') return { kind: 'error', type: 'server_error', code: 'server_error', message: value };
  const error = object(value, where);
  known(error, where, ['type', 'code', 'message']);
  return {
    kind: 'error',
    type: error.type === undefined ? 'server_error' : text(error.type, `${where}.type`),
    code: error.code === undefined ? 'server_error' : text(error.code, `${where}.code`),
    message: error.message === undefined ? 'The server had an error while processing your request.' : text(error.message, `${where}.message`),
  };
}

function pause(value: unknown, where: string): number {
  const match = typeof value === 'number' ? [String(value), String(value), 'ms'] : typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(value) : null;
  const ms = match ? Number(match[1]) * (match[2] === 's' ? 1000 : 1) : NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_PAUSE_MS) throw new ScriptError(`${where}: expected a duration such as "500ms" or "2s" (at most 10 minutes)`);
  return Math.round(ms);
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ScriptError(`${where}: expected an object`);
  return value as Record<string, unknown>;
}

/** A function's name or a call id as the service has them: 1-64 letters, digits, _ or -. */
function identifier(value: unknown, where: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(value)) throw new ScriptError(`${where}: expected a name of 1-64 letters, digits, _ or -`);
  return value;
}

/** A call's arguments as the model sends them: a JSON object, given as one or as its JSON text. */
function callArguments(value: unknown, where: string): string {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ScriptError(`${where}: expected a JSON object (or its text)`);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new ScriptError(`${where}: expected a string`);
  return value;
}

function known(value: Record<string, unknown>, where: string, keys: readonly string[]): void {
  const unknown = Object.keys(value).find((key) => !keys.includes(key));
  if (unknown !== undefined) throw new ScriptError(`${where}: unknown field "${unknown}" (expected ${keys.join(', ')})`);
}
