/**
 * A real RealtimeSession (WebSocketTransport, GA dialect) talking to a `kaiwa serve`
 * through the recording proxy, with tools declared by session.update and attached by
 * attachTools — the way the CLI wires them.
 */
import { after } from 'node:test';
import { RealtimeSession } from '../../src/client/session.js';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { gaDialect } from '../../src/protocol/ga-dialect.js';
import type { FunctionTool, ServerEvent, ServerEventOf } from '../../src/protocol/events.js';
import type { RealtimeServer } from '../../src/server/realtime-server.js';
import { attachTools, type AttachedTools, type ToolResultInfo, type ToolRunnerOptions } from '../../src/tools/tool-runner.js';
import { toolsForSession, type Tool } from '../../src/tools/tool.js';
import { startToolsProxy, type ClientEvent, type ToolsProxy } from './tools-proxy.js';

export interface ToolSession {
  session: RealtimeSession;
  proxy: ToolsProxy;
  attached: AttachedTools;
  results: ToolResultInfo[];
  /** Sends the user's text and response.create; resolves with the text of the first answer without tool calls. */
  ask(text: string, timeoutMs?: number): Promise<string>;
}

export interface ToolSessionOptions extends ToolRunnerOptions {
  /** Declared to the server in addition to the tools (e.g. one the runner does not know). */
  extraDeclarations?: FunctionTool[];
}

export async function startToolSession(server: RealtimeServer, tools: Tool[], options: ToolSessionOptions = {}): Promise<ToolSession> {
  const proxy = await startToolsProxy(server.url);
  const endpoint = resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url: proxy.url, apiKey: 'sk-test' });
  const session = new RealtimeSession(await WebSocketTransport.connect(endpoint), gaDialect);
  after(() => session.close());
  await nextEvent(session, 'session.created');
  const updated = nextEvent(session, 'session.updated');
  session.updateSession({
    type: 'realtime',
    output_modalities: ['text'],
    audio: { input: { turn_detection: null } },
    tools: [...toolsForSession(tools), ...(options.extraDeclarations ?? [])],
  });
  await updated;
  const results: ToolResultInfo[] = [];
  const { extraDeclarations: _ignored, ...runnerOptions } = options;
  const attached = attachTools(session, tools, {
    ...runnerOptions,
    onResult: (info) => {
      results.push(info);
      options.onResult?.(info);
    },
  });
  after(() => attached.detach());
  return {
    session,
    proxy,
    attached,
    results,
    ask: async (text, timeoutMs = 10_000) => {
      const answer = nextAnswer(session, timeoutMs);
      session.sendText(text);
      return answer;
    },
  };
}

export function nextEvent<T extends ServerEvent['type']>(session: RealtimeSession, type: T, timeoutMs = 5000): Promise<ServerEventOf<T>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.off('server-event', listener);
      reject(new Error(`no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: ServerEvent): void => {
      if (event.type !== type) return;
      clearTimeout(timer);
      session.off('server-event', listener);
      resolve(event as ServerEventOf<T>);
    };
    session.on('server-event', listener);
  });
}

/** The text of the next response.done that holds no function call. */
export function nextAnswer(session: RealtimeSession, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      session.off('server-event', listener);
      reject(new Error(`no answer without tool calls within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (event: ServerEvent): void => {
      if (event.type !== 'response.done') return;
      const output = event.response.output ?? [];
      if (output.some((item) => item.type === 'function_call')) return;
      clearTimeout(timer);
      session.off('server-event', listener);
      const parts = output.flatMap((item): Array<{ text?: unknown; transcript?: unknown }> => (item.type === 'message' ? [...item.content] : []));
      resolve(parts.map((part) => (typeof part.text === 'string' ? part.text : typeof part.transcript === 'string' ? part.transcript : '')).join(''));
    };
    session.on('server-event', listener);
  });
}

/** What the server received after the user's last text: outputs and creates, whole. */
export function toolTraffic(sent: readonly ClientEvent[]): ClientEvent[] {
  return sent.filter((event) => event.type === 'response.create'
    || (event.type === 'conversation.item.create' && (event.item as { type?: string }).type === 'function_call_output'));
}

/** The function_call items of every response.done seen so far (the calls the server made). */
export function recordCalls(session: RealtimeSession): Array<{ name: string; callId: string; arguments: string }> {
  const calls: Array<{ name: string; callId: string; arguments: string }> = [];
  session.on('server-event', (event) => {
    if (event.type !== 'response.done') return;
    for (const item of event.response.output ?? []) {
      if (item.type === 'function_call') calls.push({ name: item.name, callId: item.call_id ?? '', arguments: item.arguments });
    }
  });
  return calls;
}

/**
 * The events without what kaiwa adds for its own bookkeeping — the event_id, the id it gives
 * each item it creates, the tag on its response.create — for exact comparisons.
 */
export function withoutEventIds(events: readonly ClientEvent[]): Array<Record<string, unknown>> {
  return events.map(({ event_id: _id, ...rest }) => withoutBookkeeping(rest));
}

function withoutBookkeeping(event: Record<string, unknown>): Record<string, unknown> {
  if (event.type === 'conversation.item.create') {
    const { id: _id, ...item } = event.item as Record<string, unknown>;
    return { ...event, item };
  }
  if (event.type !== 'response.create' || !event.response) return event;
  const { metadata, ...response } = event.response as Record<string, unknown>;
  const { kaiwa_request: _tag, ...others } = (metadata ?? {}) as Record<string, unknown>;
  const rest = Object.keys(others).length ? { ...response, metadata: others } : response;
  return Object.keys(rest).length ? { ...event, response: rest } : { type: event.type };
}
