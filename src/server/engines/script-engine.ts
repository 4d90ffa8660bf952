/**
 * `--script FILE`: replies written in advance (see scripted-turns.ts for the file). Each
 * session follows the script on its own from the first turn; the same conversation gets
 * the same replies, call ids included, so a test can assert on them.
 */
import type { EngineChunk, EngineMessage, EngineRequest, ReplyEngine } from './reply-engine.js';
import type { ReplyScriptFile, ScriptStep, ScriptTurn } from './scripted-turns.js';

export class ScriptEngine implements ReplyEngine {
  readonly name = 'script';

  constructor(readonly script: ReplyScriptFile) {}

  /** Each session keeps its own place in the script. */
  forSession(): ReplyEngine {
    return new ScriptedSession(this.script);
  }

  reply(request: EngineRequest): AsyncIterable<EngineChunk> {
    return new ScriptedSession(this.script).reply(request);
  }
}

/** What a response answers: the user's words, or a tool's result. */
interface Cue {
  heard: string;
  tool: { name: string; output: string } | undefined;
}

class ScriptedSession implements ReplyEngine {
  readonly name = 'script';
  private readonly used = new Set<ScriptTurn>();
  private calls = 0;

  constructor(private readonly script: ReplyScriptFile) {}

  async *reply(request: EngineRequest): AsyncIterable<EngineChunk> {
    const cue = cueOf(request.messages);
    const turn = this.choose(cue);
    const values = { heard: cue.heard, output: cue.tool?.output ?? '', tool: cue.tool?.name ?? '' };
    for (const step of turn?.steps ?? this.script.fallback) {
      if (request.signal.aborted) return;
      yield* this.perform(step, values, request.signal);
    }
  }

  private choose(cue: Cue): ScriptTurn | undefined {
    if (this.script.order === 'match') return this.script.turns.find((turn) => matches(turn, cue));
    const next = this.script.turns.find((turn) => !this.used.has(turn));
    if (!next || !matches(next, cue)) return undefined;
    this.used.add(next);
    return next;
  }

  private async *perform(step: ScriptStep, values: Record<string, string>, signal: AbortSignal): AsyncIterable<EngineChunk> {
    switch (step.kind) {
      case 'say':
        for (const piece of fill(step.text, values).match(/\S+\s*/g) ?? []) yield { type: 'text', delta: piece };
        return;
      case 'call':
        this.calls += 1;
        yield { type: 'tool_call', callId: step.callId ?? `call_script${this.calls}`, name: step.name, arguments: step.arguments };
        return;
      case 'error':
        yield { type: 'error', error: { type: step.type, code: step.code, message: fill(step.message, values) } };
        return;
      case 'pause':
        await pause(step.ms, signal);
    }
  }
}

function matches(turn: ScriptTurn, cue: Cue): boolean {
  if (turn.afterTool !== undefined) return cue.tool !== undefined && (turn.afterTool === true || turn.afterTool === cue.tool.name);
  if (cue.tool !== undefined) return false;
  return turn.matchers.length === 0 || turn.matchers.some((pattern) => pattern.test(cue.heard));
}

/** The last message decides: a tool's result, else the user's last words. */
function cueOf(messages: readonly EngineMessage[]): Cue {
  const last = messages.at(-1);
  if (last?.role === 'tool_result') {
    const call = messages.find((message) => message.role === 'tool_call' && message.callId === last.callId);
    return { heard: lastUserText(messages), tool: { name: call?.role === 'tool_call' ? call.name : '', output: last.output } };
  }
  return { heard: last?.role === 'user' ? last.text.trim() : '', tool: undefined };
}

function lastUserText(messages: readonly EngineMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === 'user') return message.text.trim();
  }
  return '';
}

function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{(heard|output|tool)\}/g, (_, key: string) => values[key] ?? '');
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
