/**
 * The two official clients as a test drives them against kaiwa serve: the `openai`
 * package's OpenAIRealtimeWS (wss only: it trusts the server's certificate) and
 * `@openai/agents-realtime`'s RealtimeSession over its WebSocket transport.
 */
import OpenAI from 'openai';
import { waitFor } from './wait-for.js';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import type { RealtimeServerEvent } from 'openai/resources/realtime/realtime';
import { OpenAIRealtimeWebSocket, RealtimeSession, tool, type RealtimeAgent } from '@openai/agents-realtime';
import type { RealtimeServer } from '../../src/server/realtime-server.js';

export type SdkEvent = RealtimeServerEvent;

export interface SdkClient {
  rt: OpenAIRealtimeWS;
  events: SdkEvent[];
  /** Errors the SDK raised (transport failures, refusals). */
  errors: Error[];
  /** Set once the socket closed. */
  closed: { code: number; reason: string } | undefined;
  next(type: string, timeoutMs?: number): Promise<SdkEvent>;
  waitFor(check: () => boolean, label: string, timeoutMs?: number): Promise<void>;
}

export async function waitUntil(check: () => boolean, label: string, timeoutMs = 5000, describe: () => string = () => ''): Promise<void> {
  await waitFor(check, { what: label, timeoutMs, everyMs: 10 }).catch((error: Error) => { throw new Error(`${error.message} ${describe()}`); });
}

/** Opens OpenAIRealtimeWS on a wss: server; `open: false` does not wait for the socket to open (a refusal). */
export function sdkClient(server: RealtimeServer, options: { model?: string } = {}): SdkClient {
  const openai = new OpenAI({ apiKey: 'sk-test-local', baseURL: server.url.replace(/^wss:/, 'https:') });
  const rt = new OpenAIRealtimeWS({ model: options.model ?? 'gpt-realtime', options: { ca: server.certificate } }, openai);
  const client: SdkClient = {
    rt, events: [], errors: [], closed: undefined,
    next: async (type, timeoutMs = 5000) => {
      let found: SdkEvent | undefined;
      await client.waitFor(() => {
        const index = client.events.findIndex((event, i) => i >= cursor && event.type === type);
        if (index < 0) return false;
        found = client.events[index];
        cursor = index + 1;
        return true;
      }, `no ${type}`, timeoutMs);
      return found!;
    },
    waitFor: (check, label, timeoutMs = 5000) => waitUntil(check, label, timeoutMs, () => `; got ${client.events.map((e) => e.type).slice(-12).join(', ')}; closed ${JSON.stringify(client.closed)}`),
  };
  let cursor = 0;
  rt.on('event', (event) => client.events.push(event));
  rt.on('error', (error) => client.errors.push(error));
  rt.socket.on('close', (code, reason) => { client.closed = { code, reason: reason.toString() }; });
  return client;
}

/** Waits for the socket to open and session.created. */
export async function openSdkClient(server: RealtimeServer, options: { model?: string } = {}): Promise<SdkClient> {
  const client = sdkClient(server, options);
  await client.next('session.created');
  return client;
}

export interface AgentClient {
  session: RealtimeSession;
  transport: OpenAIRealtimeWebSocket;
  raw: Array<{ type: string; [key: string]: unknown }>;
  errors: unknown[];
  waitFor(check: () => boolean, label: string, timeoutMs?: number): Promise<void>;
}

/** A RealtimeSession of the Agents SDK connected to `server` (ws:, the transport's own socket). */
export async function agentClient(server: RealtimeServer, agent: RealtimeAgent): Promise<AgentClient> {
  const transport = new OpenAIRealtimeWebSocket({ url: `${server.url}/realtime?model=gpt-realtime` });
  const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime' });
  const client: AgentClient = {
    session, transport, raw: [], errors: [],
    waitFor: (check, label, timeoutMs = 8000) => waitUntil(check, label, timeoutMs, () => `; saw ${client.raw.map((e) => e.type).slice(-12).join(', ')}`),
  };
  transport.on('*', (event: { type: string }) => client.raw.push(event));
  session.on('error', (error) => client.errors.push(error));
  await session.connect({ apiKey: 'sk-test-local' });
  return client;
}

/** The Agents SDK's weather tool the tests give their agents: it records each call and answers `answer`. */
export function agentWeatherTool(calls: unknown[], answer: string): ReturnType<typeof tool> {
  return tool({
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    strict: true,
    execute: async (input: unknown) => {
      calls.push(input);
      return answer;
    },
  });
}
