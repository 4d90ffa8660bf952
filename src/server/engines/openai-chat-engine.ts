/**
 * `--engine openai-chat`: replies come from any OpenAI-compatible Chat Completions endpoint
 * (OpenAI, llama.cpp's server, Ollama, vLLM, LM Studio …), streamed with `stream: true`.
 * Session tools are passed through as Chat Completions function tools, and streamed
 * `tool_calls` fragments are put back together before they become function_call items.
 */
import type { EngineChunk, EngineMessage, EngineRequest, ReplyEngine } from './reply-engine.js';
import { sseData } from './server-sent-events.js';

export interface OpenAIChatEngineOptions {
  /** Base URL (`…/v1`) or the full `…/chat/completions` URL. */
  url: string;
  model?: string;
  apiKey?: string;
}

type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

interface StreamedCall {
  id: string;
  name: string;
  arguments: string;
}

export const DEFAULT_CHAT_MODEL = 'gpt-4o-mini';

/** fetch says only "fetch failed": the socket's error, which says why, is its cause. */
function unreachableReason(error: unknown): string {
  const cause = (error as { cause?: NodeJS.ErrnoException } | undefined)?.cause;
  switch (cause?.code) {
    case 'ECONNREFUSED': return 'connection refused (is the Chat Completions server running, and the port right?)';
    case 'ENOTFOUND': case 'EAI_AGAIN': case 'EAI_NONAME': return 'host not found (check --engine-url)';
    case 'ECONNRESET': return 'the server closed the connection without answering';
    case 'ETIMEDOUT': case 'UND_ERR_CONNECT_TIMEOUT': return 'connection timed out';
  }
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

export class OpenAIChatEngine implements ReplyEngine {
  readonly name = 'openai-chat';
  private readonly endpoint: string;

  constructor(private readonly options: OpenAIChatEngineOptions) {
    this.endpoint = chatCompletionsUrl(options.url);
  }

  get model(): string {
    return this.options.model ?? DEFAULT_CHAT_MODEL;
  }

  async *reply(request: EngineRequest): AsyncIterable<EngineChunk> {
    const response = await fetch(this.endpoint, {
      method: 'POST',
      headers: this.headers(),
      body: JSON.stringify(this.body(request)),
      signal: request.signal,
    }).catch((error: unknown) => {
      if (request.signal.aborted) throw error;
      throw new Error(`cannot reach ${this.endpoint}: ${unreachableReason(error)}`);
    });
    if (!response.ok) throw new Error(`${this.endpoint} answered HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
    if (!response.body) throw new Error(`${this.endpoint} sent no body`);
    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
      // Some servers ignore `stream: true` and answer with one JSON completion.
      yield* completionChunks(await response.json());
      return;
    }
    yield* this.streamedChunks(response.body);
  }

  private async *streamedChunks(body: AsyncIterable<Uint8Array>): AsyncIterable<EngineChunk> {
    const calls = new Map<number, StreamedCall>();
    for await (const data of sseData(body)) {
      if (data.trim() === '[DONE]') break;
      const chunk = parseJson(data);
      if (chunk?.error) throw new Error(`the engine reported an error: ${JSON.stringify(chunk.error).slice(0, 300)}`);
      const delta = chunk?.choices?.[0]?.delta;
      if (typeof delta?.content === 'string' && delta.content !== '') yield { type: 'text', delta: delta.content };
      for (const fragment of delta?.tool_calls ?? []) addFragment(calls, fragment);
    }
    for (const index of [...calls.keys()].sort((a, b) => a - b)) {
      const call = calls.get(index)!;
      yield { type: 'tool_call', callId: call.id, name: call.name, arguments: call.arguments || '{}' };
    }
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }

  private body(request: EngineRequest): Record<string, unknown> {
    const body: Record<string, unknown> = { model: this.model, stream: true, messages: chatMessages(request) };
    const tools = request.tools.filter((tool) => typeof tool.name === 'string');
    if (tools.length > 0) {
      body.tools = tools.map((tool) => ({
        type: 'function',
        function: { name: tool.name, description: tool.description ?? '', parameters: tool.parameters ?? { type: 'object', properties: {} } },
      }));
      body.tool_choice = ['auto', 'none', 'required'].includes(request.toolChoice) ? request.toolChoice
        : { type: 'function', function: { name: request.toolChoice } };
    }
    if (request.maxOutputTokens !== undefined) body.max_tokens = request.maxOutputTokens;
    return body;
  }
}

export function chatCompletionsUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/chat/completions') ? trimmed : `${trimmed}/chat/completions`;
}

/** Engine turns → Chat Completions messages; consecutive tool calls share one assistant message. */
export function chatMessages(request: EngineRequest): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (request.instructions.trim() !== '') messages.push({ role: 'system', content: request.instructions });
  for (const message of request.messages) appendMessage(messages, message);
  return messages;
}

function appendMessage(messages: ChatMessage[], message: EngineMessage): void {
  switch (message.role) {
    case 'system':
    case 'user':
      messages.push({ role: message.role, content: message.text });
      return;
    case 'assistant':
      messages.push({ role: 'assistant', content: message.text });
      return;
    case 'tool_call': {
      const call: ChatToolCall = { id: message.callId, type: 'function', function: { name: message.name, arguments: message.arguments } };
      const last = messages.at(-1);
      if (last?.role === 'assistant' && last.tool_calls) last.tool_calls.push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      return;
    }
    case 'tool_result':
      messages.push({ role: 'tool', tool_call_id: message.callId, content: message.output });
  }
}

interface ToolCallFragment {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string };
}

interface CompletionJson {
  error?: unknown;
  choices?: Array<{
    delta?: { content?: string | null; tool_calls?: ToolCallFragment[] };
    message?: { content?: string | null; tool_calls?: ToolCallFragment[] };
  }>;
}

function parseJson(data: string): CompletionJson | undefined {
  try {
    return JSON.parse(data) as CompletionJson;
  } catch {
    return undefined;
  }
}

/** The first fragment of a call carries its id and name; later ones add argument text. */
function addFragment(calls: Map<number, StreamedCall>, fragment: ToolCallFragment): void {
  const index = fragment.index ?? calls.size;
  const call = calls.get(index) ?? { id: '', name: '', arguments: '' };
  if (fragment.id) call.id = fragment.id;
  if (fragment.function?.name) call.name += fragment.function.name;
  if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
  calls.set(index, call);
}

function* completionChunks(json: unknown): Iterable<EngineChunk> {
  const message = (json as CompletionJson).choices?.[0]?.message;
  if (typeof message?.content === 'string' && message.content !== '') yield { type: 'text', delta: message.content };
  for (const [index, call] of (message?.tool_calls ?? []).entries()) {
    yield { type: 'tool_call', callId: call.id ?? `call_${index}`, name: call.function?.name ?? '', arguments: call.function?.arguments || '{}' };
  }
}
