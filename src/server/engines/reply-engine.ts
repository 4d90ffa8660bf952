import type { FunctionTool } from '../../protocol/events.js';

/** The conversation as a reply engine sees it: plain text turns and tool traffic. */
export type EngineMessage =
  | { role: 'system' | 'user' | 'assistant'; text: string }
  | { role: 'tool_call'; callId: string; name: string; arguments: string }
  | { role: 'tool_result'; callId: string; output: string };

export interface EngineRequest {
  instructions: string;
  messages: readonly EngineMessage[];
  tools: readonly FunctionTool[];
  toolChoice: string;
  maxOutputTokens?: number;
  signal: AbortSignal;
}

/** Pieces of a reply as they stream out of the engine. */
export type EngineChunk =
  | { type: 'text'; delta: string }
  | { type: 'tool_call'; callId: string; name: string; arguments: string }
  /** The response fails with this error (sent as an `error` event and in response.done). */
  | { type: 'error'; error: { type: string; code: string; message: string } };

/** Writes the assistant's replies: a real model behind an HTTP API, or the offline echo. */
export interface ReplyEngine {
  readonly name: string;
  reply(request: EngineRequest): AsyncIterable<EngineChunk>;
  /** An engine with state of its own for one session (a script's place); default: this one. */
  forSession?(): ReplyEngine;
}
