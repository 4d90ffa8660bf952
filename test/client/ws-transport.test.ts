import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { ConnectionError } from '../../src/errors.js';

test('the client does not offer per-message compression, even to a server that would accept it', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
  await once(server, 'listening');
  const offered = new Promise<string | undefined>((resolve) => {
    server.on('connection', (socket, request) => {
      resolve(request.headers['sec-websocket-extensions']);
      socket.send(JSON.stringify({ type: 'session.created', event_id: 'e1', session: {} }));
    });
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const transport = await WebSocketTransport.connect(resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url, apiKey: 'sk-test' }));
  try {
    assert.equal(await offered, undefined);
  } finally {
    transport.close(1000, 'done');
    server.close();
  }
});

/** A real `ws` server on 127.0.0.1 that refuses every upgrade with the status the test sets. */
async function refusingServer(): Promise<{ url: string; answer: (status: number) => void; close: () => Promise<void> }> {
  let status = 500;
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: (_info, done) => done(false, status) });
  await once(server, 'listening');
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    answer: (next) => { status = next; },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function connectionError(url: string, timeoutMs?: number): Promise<ConnectionError> {
  const endpoint = resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url, apiKey: 'sk-test' });
  const error = await WebSocketTransport.connect(endpoint, timeoutMs ? { timeoutMs } : {}).then(
    (transport) => { void transport.close(); assert.fail('the connection was accepted'); },
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof ConnectionError, `a ConnectionError, got ${String(error)}`);
  return error;
}

test('a refused upgrade is a ConnectionError with its HTTP status; only 401, 403 and 404 are not worth retrying', async () => {
  const server = await refusingServer();
  try {
    for (const [status, retryable, says] of [
      [401, false, /rejected the API key \(401 Unauthorized\)/], [403, false, /access denied \(403 Forbidden\)/],
      [404, false, /not found \(404\)/], [429, true, /rate limited or out of quota \(429\)/],
      [500, true, /answered HTTP 500 instead of opening a WebSocket/],
    ] as const) {
      server.answer(status);
      const error = await connectionError(server.url);
      assert.deepEqual({ status: error.status, code: error.code, retryable: error.retryable }, { status, code: undefined, retryable }, `HTTP ${status}`);
      assert.match(error.message, new RegExp(`^cannot connect to ${server.url}/realtime: .*${says.source}`));
    }
  } finally {
    await server.close();
  }
});

test('a refused TCP connection is a retryable ConnectionError with code ECONNREFUSED and no status', async () => {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  const error = await connectionError(`ws://127.0.0.1:${port}/v1`);
  assert.deepEqual({ status: error.status, code: error.code, retryable: error.retryable }, { status: undefined, code: 'ECONNREFUSED', retryable: true });
  assert.match(error.message, /connection refused/);
});

test('a server that takes the connection but never answers the upgrade: a retryable timeout', async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  try {
    const error = await connectionError(`ws://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`, 200);
    assert.deepEqual({ status: error.status, code: error.code, retryable: error.retryable }, { status: undefined, code: 'timeout', retryable: true });
    assert.match(error.message, /no answer within 200 ms \(--connect-timeout\)/);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
});
