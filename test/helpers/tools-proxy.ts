/**
 * A WebSocket proxy between kaiwa and a `kaiwa serve` that keeps every event the client
 * sent, whole, in the order the server got it — so the tools tests can check the exact
 * function_call_output items and response.create events that reached the server.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import WebSocket, { WebSocketServer } from 'ws';

export type ClientEvent = Record<string, unknown> & { type: string };

export interface ToolsProxy {
  /** Base URL for resolveEndpoint (`ws://…/v1`). */
  readonly url: string;
  /** Everything the client sent, in order. */
  readonly sent: ClientEvent[];
  close(): Promise<void>;
}

export async function startToolsProxy(upstreamBase: string): Promise<ToolsProxy> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const sent: ClientEvent[] = [];
  wss.on('connection', (client, request) => {
    const upstream = new WebSocket(`${upstreamBase.replace(/\/v1$/, '')}${request.url}`, { headers: { authorization: String(request.headers.authorization ?? '') } });
    const pending: string[] = [];
    client.on('message', (data) => {
      const text = data.toString();
      sent.push(JSON.parse(text) as ClientEvent);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(text);
      else pending.push(text);
    });
    upstream.on('open', () => pending.splice(0).forEach((text) => upstream.send(text)));
    upstream.on('message', (data) => client.send(data.toString()));
    upstream.on('error', () => client.terminate());
    client.on('close', (code) => upstream.close(code === 1005 || code === 1006 ? 1000 : code));
    upstream.on('close', () => client.close());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const proxy: ToolsProxy = {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1`,
    sent,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  after(() => proxy.close());
  return proxy;
}

/** The client events after the `index`-th event of `type` (by default the whole log). */
export function eventsAfter(events: readonly ClientEvent[], predicate: (event: ClientEvent) => boolean): ClientEvent[] {
  const start = events.findIndex(predicate);
  return start < 0 ? [] : events.slice(start + 1);
}
