import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';

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
