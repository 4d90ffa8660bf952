import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export type WireJson = { type: string; [key: string]: unknown };

/** One client connection as the test sees it: what arrived, and a way to answer. */
export interface ScriptedConnection {
  readonly headers: IncomingHttpHeaders;
  readonly url: string;
  readonly received: WireJson[];
  /** Decoded bytes of every input_audio_buffer.append, in order. */
  audio: Buffer;
  send(event: object): void;
  sendRaw(text: string): void;
  close(code?: number): void;
  closed: Promise<{ code: number }>;
}

export interface ScriptedServerOptions {
  /** Reject the upgrade with this HTTP status instead of accepting. */
  rejectStatus?: number;
  /** Hold each upgrade until this resolves (a connection that takes its time). */
  acceptWhen?(): Promise<void>;
  onConnection?(connection: ScriptedConnection): void;
  onEvent?(connection: ScriptedConnection, event: WireJson): void;
}

export interface ScriptedServer {
  readonly url: string;
  readonly port: number;
  readonly connections: ScriptedConnection[];
  close(): Promise<void>;
}

function wrap(socket: WebSocket, headers: IncomingHttpHeaders, url: string): ScriptedConnection {
  let closedResolve!: (value: { code: number }) => void;
  const connection: ScriptedConnection = {
    headers, url, received: [], audio: Buffer.alloc(0),
    send: (event) => socket.send(JSON.stringify(event)),
    sendRaw: (text) => socket.send(text),
    close: (code = 1000) => socket.close(code),
    closed: new Promise((resolve) => { closedResolve = resolve; }),
  };
  socket.on('close', (code) => closedResolve({ code }));
  return connection;
}

/**
 * A real WebSocket server on 127.0.0.1 that plays the part of the Realtime service from
 * a script the test writes, and remembers everything the client sent.
 */
export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<ScriptedServer> {
  const http: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  const connections: ScriptedConnection[] = [];
  http.on('upgrade', async (request, socket, head) => {
    if (options.rejectStatus) {
      socket.end(`HTTP/1.1 ${options.rejectStatus} Rejected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      return;
    }
    await options.acceptWhen?.();
    wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = wrap(ws, request.headers, request.url ?? '');
      connections.push(connection);
      ws.on('message', (data) => {
        const event = JSON.parse(data.toString()) as WireJson;
        connection.received.push(event);
        if (event.type === 'input_audio_buffer.append') {
          connection.audio = Buffer.concat([connection.audio, Buffer.from(String(event.audio), 'base64')]);
        }
        options.onEvent?.(connection, event);
      });
      options.onConnection?.(connection);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/v1`,
    port,
    connections,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
