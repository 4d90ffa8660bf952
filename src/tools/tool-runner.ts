/**
 * Runs the model's function calls for a ToolSession.
 *
 * When a response is done, its `function_call` items form one batch: every call runs at
 * once (each under its own timeout and AbortSignal; calls that need approval are asked
 * about one at a time, in order), then each result goes back as a `function_call_output`
 * item with the call's `call_id`, in the order the model made the calls, and then exactly
 * one `response.create` asks the model to carry on (ahead of any typed line queued
 * meanwhile: the lines wait for the batch, so the tool's answer comes before theirs).
 * Whatever goes wrong — a tool that throws, hangs,
 * is unknown, gets bad JSON or is refused — the model gets `{"error": "..."}` instead, and
 * kaiwa keeps running.
 *
 * Calls of a cancelled response (the user interrupted) still run and their outputs are
 * sent, so the conversation stays consistent, but no response is requested for them: the
 * user's new turn gets the answer.
 */
import type { ToolSession } from './tool-session.js';
import type { ServerEvent } from '../protocol/events.js';
import { errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { checkToolNames, type Tool } from './tool.js';

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_OUTPUT_CHARS = 32_000;

export type ToolOutcome = 'ok' | 'error' | 'timeout' | 'refused';

export interface ToolCallInfo {
  name: string;
  callId: string;
  /** Parsed arguments; undefined when they were not a JSON object. */
  args: Record<string, unknown> | undefined;
  /** The arguments as the model sent them. */
  rawArguments: string;
  /** Undefined for a name no tool has. */
  tool: Tool | undefined;
  needsApproval: boolean;
}

export interface ApprovalRequest {
  name: string;
  callId: string;
  args: Record<string, unknown>;
  tool: Tool;
  /** Aborted when the question no longer matters (the session closed): dismiss the prompt. */
  signal: AbortSignal;
}

export interface ToolResultInfo {
  name: string;
  callId: string;
  args: Record<string, unknown> | undefined;
  /** From the call's start (after approval) to its result. */
  ms: number;
  outcome: ToolOutcome;
  /** Exactly what was sent to the model as the function_call_output. */
  output: string;
}

export interface ToolRunnerOptions {
  /** Asked before each call of a tool with needsApproval; without it such calls are refused. */
  approve?: (call: ApprovalRequest) => Promise<boolean> | boolean;
  /** A call arrived (before approval). */
  onCall?: (info: ToolCallInfo) => void;
  /** A call finished; its output is about to be sent. */
  onResult?: (info: ToolResultInfo) => void;
  /** For tools without their own timeoutMs (default 30 s). */
  defaultTimeoutMs?: number;
  /** Longer outputs are cut (default 32 000 characters). */
  maxOutputChars?: number;
  logger?: Logger;
}

export interface AttachedTools {
  readonly tools: readonly Tool[];
  /** Calls that are running or waiting for approval. */
  readonly pending: number;
  /** Resolves when every batch seen so far has sent its outputs (and its response.create). */
  idle(): Promise<void>;
  /** Stops listening and aborts running calls; their outputs are not sent. */
  detach(): void;
}

interface FunctionCall {
  name: string;
  callId: string;
  rawArguments: string;
}

interface CallResult {
  callId: string;
  output: string;
}

export function attachTools(session: ToolSession, tools: readonly Tool[], options: ToolRunnerOptions = {}): AttachedTools {
  checkToolNames(tools);
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const logger = options.logger ?? silentLogger;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const maxOutputChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  const lifetime = new AbortController();
  const seenCallIds = new Set<string>();
  const batches = new Set<Promise<void>>();
  let approvals: Promise<unknown> = Promise.resolve();
  let pending = 0;

  const notify = <T>(callback: ((info: T) => void) | undefined, info: T): void => {
    try {
      callback?.(info);
    } catch (error) {
      logger.log('warn', `tool callback failed: ${errorMessage(error)}`);
    }
  };

  /** One at a time, so a terminal prompt never has two questions open. */
  const askApproval = (request: ApprovalRequest): Promise<boolean> => {
    const answer = approvals.then(async () => {
      if (lifetime.signal.aborted) return false;
      if (!options.approve) return false;
      try {
        return (await options.approve(request)) === true;
      } catch (error) {
        logger.log('warn', `approval for ${request.name} failed: ${errorMessage(error)} (refused)`);
        return false;
      }
    });
    approvals = answer.catch(() => undefined);
    return answer;
  };

  const runCall = async (call: FunctionCall): Promise<CallResult> => {
    const tool = byName.get(call.name);
    const parsed = parseArguments(call.rawArguments);
    const args = parsed.ok ? parsed.value : undefined;
    const needsApproval = tool?.needsApproval === true;
    notify(options.onCall, { name: call.name, callId: call.callId, args, rawArguments: call.rawArguments, tool, needsApproval });
    let started = performance.now();
    const finish = (outcome: ToolOutcome, output: string): CallResult => {
      const bounded = output.length > maxOutputChars ? `${output.slice(0, maxOutputChars)}\n[output truncated at ${maxOutputChars} characters]` : output;
      notify(options.onResult, { name: call.name, callId: call.callId, args, ms: Math.round(performance.now() - started), outcome, output: bounded });
      return { callId: call.callId, output: bounded };
    };
    if (!tool) return finish('error', errorOutput(`there is no tool named ${call.name}`));
    if (!parsed.ok) return finish('error', errorOutput(`the arguments for ${call.name} are not a JSON object: ${parsed.problem}`));
    let input = parsed.value;
    if (needsApproval) {
      const approved = await askApproval({ name: call.name, callId: call.callId, args: input, tool, signal: lifetime.signal });
      if (!approved) return finish('refused', errorOutput(`the user refused to let ${call.name} run; do not call it again unless the user asks`));
      started = performance.now();
    }
    if (tool.validate) {
      const checked = await tool.validate(input).catch((error: unknown) => ({ error: errorMessage(error) }));
      if ('error' in checked) return finish('error', errorOutput(checked.error));
      input = checked.value;
    }
    const timeoutMs = tool.timeoutMs ?? defaultTimeoutMs;
    const controller = new AbortController();
    const stopOnDetach = (): void => controller.abort(new Error('the session ended'));
    lifetime.signal.addEventListener('abort', stopOnDetach, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`timed out after ${timeoutMs} ms`));
        resolve('timeout');
      }, timeoutMs);
    });
    const ran = (async () => tool.handler(input, { signal: controller.signal, callId: call.callId }))()
      .then((value) => ({ value }), (error: unknown) => ({ error }));
    try {
      const result = await Promise.race([ran, timedOut]);
      if (result === 'timeout') return finish('timeout', errorOutput(`${call.name} did not finish within ${formatSeconds(timeoutMs)} and was stopped`));
      if ('error' in result) return finish('error', errorOutput(errorMessage(result.error) || `${call.name} failed`));
      const output = jsonOutput(result.value);
      if (!output.ok) return finish('error', errorOutput(`${call.name} returned a value that cannot be sent as JSON (${output.problem})`));
      return finish('ok', output.text);
    } finally {
      clearTimeout(timer);
      lifetime.signal.removeEventListener('abort', stopOnDetach);
    }
  };

  const runBatch = async (calls: FunctionCall[], followUp: boolean): Promise<void> => {
    pending += calls.length;
    const results = await Promise.all(calls.map((call) => runCall(call).catch((error: unknown): CallResult => {
      logger.log('error', `tool call ${call.name} failed inside kaiwa: ${errorMessage(error)}`);
      return { callId: call.callId, output: errorOutput(`kaiwa could not run ${call.name}: ${errorMessage(error)}`) };
    }).finally(() => { pending -= 1; })));
    if (lifetime.signal.aborted) return;
    sendOutputs(results, followUp);
  };

  const sendOutputs = (results: readonly CallResult[], followUp: boolean): void => {
    // The session holds items the server has not confirmed and sends them again after a reconnect.
    for (const result of results) {
      session.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: result.callId, output: result.output } });
    }
    if (followUp) session.createResponseAhead();
  };

  const onServerEvent = (event: ServerEvent): void => {
    if (event.type !== 'response.done' || lifetime.signal.aborted) return;
    const calls: FunctionCall[] = [];
    for (const item of event.response.output ?? []) {
      if (item.type !== 'function_call' || item.status === 'incomplete' || item.status === 'in_progress') continue;
      if (!item.call_id || seenCallIds.has(item.call_id)) continue;
      seenCallIds.add(item.call_id);
      calls.push({ name: item.name, callId: item.call_id, rawArguments: item.arguments ?? '' });
    }
    if (calls.length === 0) return;
    // Told before the session handles this response.done itself: lines typed meanwhile wait.
    const release = session.holdQueue();
    const batch = runBatch(calls, event.response.status !== 'cancelled')
      .catch((error: unknown) => logger.log('error', `tool batch failed: ${errorMessage(error)}`))
      .finally(() => {
        batches.delete(batch);
        release();
      });
    batches.add(batch);
  };

  const detach = (): void => {
    if (lifetime.signal.aborted) return;
    lifetime.abort();
    session.off('server-event', onServerEvent);
    session.off('close', onClose);
  };

  // Only our own close ends the runner; a dropped connection may be reconnected.
  const onClose = (): void => { if (session.closing) detach(); };
  session.on('server-event', onServerEvent);
  session.on('close', onClose);

  return {
    tools,
    get pending() {
      return pending;
    },
    idle: async () => {
      while (batches.size > 0) await Promise.all([...batches]);
    },
    detach,
  };
}

type Parsed = { ok: true; value: Record<string, unknown> } | { ok: false; problem: string };

function parseArguments(raw: string): Parsed {
  if (raw.trim() === '') return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    return { ok: false, problem: errorMessage(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: `got ${Array.isArray(value) ? 'an array' : String(value)}` };
  return { ok: true, value: value as Record<string, unknown> };
}

/** A tool's value as the model reads it: strings as they are, anything else as JSON. */
export function outputText(value: unknown): string {
  const output = jsonOutput(value);
  return output.ok ? output.text : String(value);
}

/** As outputText, or why the value has no JSON (a circular object): not sent as "[object Object]" with an ok. */
function jsonOutput(value: unknown): { ok: true; text: string } | { ok: false; problem: string } {
  if (typeof value === 'string') return { ok: true, text: value };
  if (value === undefined) return { ok: true, text: 'null' };
  try {
    return { ok: true, text: JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)) ?? String(value) };
  } catch (error) {
    return { ok: false, problem: errorMessage(error).split('\n')[0]! };
  }
}

export function errorOutput(message: string): string {
  return JSON.stringify({ error: message });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
