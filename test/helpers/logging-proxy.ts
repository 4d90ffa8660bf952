import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { waitForEvent, type WaitOptions } from './wait-for.js';

export interface LoggedEvent {
  at: number;
  from: 'client' | 'server';
  type: string;
  /** The whole event (audio payloads included). */
  event: Record<string, unknown>;
}

export interface LoggingProxy {
  readonly url: string;
  readonly log: LoggedEvent[];
  /** Resolves as soon as `check` holds for the log (looked at now and at each new event); rejects after the deadline. */
  waitFor(check: (log: readonly LoggedEvent[]) => boolean, options: WaitOptions): Promise<void>;
  close(): Promise<void>;
}

/**
 * Sits between kaiwa and a server and writes down every event with the time it crossed,
 * like a server's own log: what the client sent, and when, can then be checked. The
 * upstream is dialled first, so a refusal (HTTP 401, 503…) reaches the client as it was.
 */
export async function startLoggingProxy(upstreamBase: string): Promise<LoggingProxy> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const log: LoggedEvent[] = [];
  const logged = new EventEmitter();
  const note = (from: LoggedEvent['from'], data: WebSocket.RawData): void => {
    const event = JSON.parse(data.toString()) as Record<string, unknown> & { type: string };
    log.push({ at: performance.now(), from, type: event.type, event });
    logged.emit('logged');
  };
  http.on('upgrade', (request, socket, head) => {
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'openai-beta', 'api-key']) {
      const value = request.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = new WebSocket(`${upstreamBase.replace(/\/v1$/, '')}${request.url}`, { headers });
    upstream.once('unexpected-response', (_req, response) => {
      socket.end(`HTTP/1.1 ${response.statusCode} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    });
    upstream.once('error', () => socket.destroy());
    const pending: WebSocket.RawData[] = [];
    upstream.on('message', (data) => pending.push(data));
    upstream.once('open', () => {
      wss.handleUpgrade(request, socket, head, (client) => {
        upstream.removeAllListeners('message');
        upstream.on('error', () => client.terminate());
        const forward = (data: WebSocket.RawData): void => {
          note('server', data);
          client.send(data.toString());
        };
        pending.splice(0).forEach(forward);
        upstream.on('message', forward);
        client.on('message', (data) => {
          note('client', data);
          if (upstream.readyState === WebSocket.OPEN) upstream.send(data.toString());
        });
        // 1005/1006 describe a missing close frame and may not be sent on.
        client.on('close', (code) => upstream.close(code === 1005 || code === 1006 ? 1000 : code));
        upstream.on('close', (code) => (code === 1005 || code === 1006 ? client.terminate() : client.close(code)));
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1`,
    log,
    waitFor: async (check, options) => {
      if (check(log)) return;
      await waitForEvent(logged, 'logged', { ...options, match: () => check(log) });
    },
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
