import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { ConnectionError } from '../../src/errors.js';
import { waitFor } from '../helpers/wait-for.js';

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

/** A bare TCP server that accepts one WebSocket upgrade by hand and resolves with the first frame's bytes. */
async function firstFrameServer(): Promise<{ url: string; frame: Promise<Buffer>; close: () => void }> {
  const sockets = new Set<Socket>();
  let resolveFrame: (frame: Buffer) => void = () => undefined;
  const frame = new Promise<Buffer>((resolve) => { resolveFrame = resolve; });
  const server = createServer((socket) => {
    sockets.add(socket);
    let received = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (!upgraded) {
        const headerEnd = received.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const key = /sec-websocket-key: (.+)\r\n/i.exec(received.subarray(0, headerEnd + 2).toString())![1]!.trim();
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
        received = received.subarray(headerEnd + 4);
        upgraded = true;
      }
      // A short frame: 2 header bytes, the 4-byte mask key, the payload.
      if (received.length >= 6 && received.length >= 6 + (received[1]! & 0x7f)) resolveFrame(received);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    frame,
    close: () => { for (const socket of sockets) socket.destroy(); server.close(); },
  };
}

test('frames go out with a zero mask key: masked as the protocol requires, the payload unchanged', async () => {
  const server = await firstFrameServer();
  const transport = await WebSocketTransport.connect(resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url: server.url, apiKey: 'sk-test' }));
  try {
    const text = JSON.stringify({ type: 'input_audio_buffer.append', audio: 'AAECAw==' });
    transport.send(text);
    const frame = await server.frame;
    assert.equal(frame[0], 0x81, 'one final text frame');
    assert.equal(frame[1]! & 0x80, 0x80, 'the mask bit is set');
    assert.equal(frame[1]! & 0x7f, text.length);
    assert.deepEqual([...frame.subarray(2, 6)], [0, 0, 0, 0]);
    assert.equal(frame.subarray(6, 6 + text.length).toString(), text);
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
      [500, true, /the server failed \(500 Internal Server Error\): try again later/], [418, false, /answered HTTP 418 instead of opening a WebSocket \(is the URL a Realtime API endpoint\?\)/],
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

/** A TCP relay to `port` that can go silent: after freeze() it passes nothing on, either way, and closes nothing (a half-open path). */
async function freezableRelay(port: number): Promise<{ url: string; freeze(): void; close(): void }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const upstream = createConnection(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => { if (!frozen) upstream.write(chunk); });
    upstream.on('data', (chunk) => { if (!frozen) client.write(chunk); });
  });
  relay.listen(0, '127.0.0.1');
  await once(relay, 'listening');
  return {
    url: `ws://127.0.0.1:${(relay.address() as AddressInfo).port}/v1`,
    freeze: () => { frozen = true; },
    close: () => { for (const socket of sockets) socket.destroy(); relay.close(); },
  };
}

test('a connection that goes silent without closing (a half-open path) is found dead by the heartbeat and reported lost (1006, with why)', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const relay = await freezableRelay((server.address() as AddressInfo).port);
  const transport = await WebSocketTransport.connect(resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url: relay.url, apiKey: 'sk-test' }), { heartbeat: { quietMs: 100, timeoutMs: 150 } });
  try {
    const closed = once(transport, 'close') as Promise<[number, string]>;
    relay.freeze();
    const [code, reason] = await closed;
    assert.equal(code, 1006);
    assert.match(reason, /^no answer from the server for \d+ s$/);
  } finally {
    relay.close();
    server.close();
  }
});

test('a quiet but live connection answers the heartbeat\'s pings and stays open', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  let pings = 0;
  server.on('connection', (socket) => socket.on('ping', () => { pings += 1; }));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  const transport = await WebSocketTransport.connect(resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url, apiKey: 'sk-test' }), { heartbeat: { quietMs: 50, timeoutMs: 100 } });
  let closed = false;
  transport.on('close', () => { closed = true; });
  try {
    await waitFor(() => pings >= 4, { what: 'four heartbeat pings answered' });
    assert.equal(closed, false);
    assert.equal(transport.isOpen, true);
  } finally {
    await transport.close(1000, 'done');
    server.close();
  }
});
