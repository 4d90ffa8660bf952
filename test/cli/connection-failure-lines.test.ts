/**
 * What a user sees when the server cannot be talked to: one `kaiwa:` line naming where kaiwa
 * connected and the likely fix, exit 1, no stack trace and none of Node's words; with --debug,
 * Node's own reason too, on a line of its own.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';

const KEY = { OPENAI_API_KEY: 'sk-test' };
const servers: Server[] = [];
const sockets = new Set<Socket>();
after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: Socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); socket.on('error', () => undefined); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

const hangingUp = (): Promise<string> => listen(createTcpServer((socket) => socket.once('data', () => socket.end())));

const chat = (url: string, ...more: string[]): string[] => ['--url', url, '--no-mic', '--no-speaker', '--text', 'hi', '--once', ...more];

test('a server that hangs up: one human line with the fix, exit 1; Node\'s "socket hang up" only with --debug', async () => {
  const url = await hangingUp();
  const result = await runKaiwa(chat(url), { env: KEY });
  assertNoStackTrace(result.stderr);
  assert.equal(result.code, 1, result.stderr);
  assert.deepEqual(result.stderr.trim().split('\n'), [`kaiwa: cannot connect to ${url}/realtime: the server closed the connection without answering (is the port right, and is it a WebSocket server? A TLS server needs wss://)`]);
  const debug = await runKaiwa(chat(url, '--debug'), { env: KEY });
  assert.equal(debug.code, 1, debug.stderr);
  assert.match(debug.stderr, /^debug: underneath: socket hang up \(ECONNRESET\)$/m);
  assert.match(debug.stderr, /^kaiwa: cannot connect to .*: the server closed the connection without answering/m);
});

test('a gateway answering 502: tried again, then one line saying a gateway could not reach the server, exit 1', async () => {
  const server = createHttpServer((_request, response) => response.writeHead(502).end());
  server.on('upgrade', (_request, socket: Socket) => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  const url = await listen(server);
  const result = await runKaiwa(chat(url), { env: KEY });
  assertNoStackTrace(result.stderr);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^kaiwa: cannot connect to .*: a gateway in front of the server could not reach it \(502 Bad Gateway\): try again later$/m);
  assert.doesNotMatch(result.stderr, /Unexpected server response/);
});

test('a server that answers the upgrade with bytes that are no WebSocket: one human line, exit 1 (it was "an error outside the conversation", then "interrupted", exit 130)', async () => {
  const server = createHttpServer();
  server.on('upgrade', (request, socket: Socket) => {
    const key = request.headers['sec-websocket-key']!;
    const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(Buffer.concat([
      Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
    ]));
  });
  // No session ever began on it: there is nothing to reconnect, with or without --reconnect.
  const result = await runKaiwa(chat(await listen(server)), { env: KEY });
  assertNoStackTrace(result.stderr);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^error: the server closed the connection before a session began \(code 1006: the server sent data that is not WebSocket \(is the URL a Realtime API endpoint\? a proxy in between may get in the way\)\)$/m);
  assert.doesNotMatch(result.stderr, /outside the conversation|interrupted|Invalid WebSocket frame|RSV|reconnect/);
});
