import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export interface LoggedEvent {
  at: number;
  from: 'client' | 'server';
  type: string;
}

export interface LoggingProxy {
  readonly url: string;
  readonly log: LoggedEvent[];
  close(): Promise<void>;
}

/**
 * Sits between kaiwa and a server and writes down every event with the time it crossed,
 * like a server's own log: what the client sent, and when, can then be checked.
 */
export async function startLoggingProxy(upstreamBase: string): Promise<LoggingProxy> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const log: LoggedEvent[] = [];
  const note = (from: LoggedEvent['from'], data: WebSocket.RawData): void => {
    const type = (JSON.parse(data.toString()) as { type: string }).type;
    log.push({ at: performance.now(), from, type });
  };
  wss.on('connection', (client, request) => {
    const upstream = new WebSocket(`${upstreamBase.replace(/\/v1$/, '')}${request.url}`);
    const pending: WebSocket.RawData[] = [];
    client.on('message', (data) => {
      note('client', data);
      if (upstream.readyState === WebSocket.OPEN) upstream.send(data.toString());
      else pending.push(data);
    });
    upstream.on('open', () => pending.splice(0).forEach((data) => upstream.send(data.toString())));
    upstream.on('message', (data) => {
      note('server', data);
      client.send(data.toString());
    });
    // 1005/1006 describe a missing close frame and may not be sent on.
    client.on('close', (code) => upstream.close(code === 1005 || code === 1006 ? 1000 : code));
    upstream.on('close', () => client.close());
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1`,
    log,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
