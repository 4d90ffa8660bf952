/**
 * Every way a connection can fail before the session opens is said in one human line that
 * names where kaiwa connected and the likely fix: not Node's own words ("socket hang up",
 * "getaddrinfo EAI_AGAIN", "unable to verify the first certificate"), nor an errno code.
 * Each failure is provoked for real by a server on this machine.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { WebSocketTransport } from '../../src/client/ws-transport.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { ConnectionError } from '../../src/errors.js';
import { expiredFor127, forAnotherHost, selfSignedFor127, signedByUnknownCa, type TestCertificate } from '../helpers/tls-certificates.js';

const servers: Array<Server | HttpServer> = [];
const sockets = new Set<Socket>();
after(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(server: Server | HttpServer): Promise<number> {
  servers.push(server);
  server.on('connection', (socket: Socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); socket.on('error', () => undefined); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const accept = (key: string): string => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

/** What Node or ws would say instead of a human line. */
const NODE_WORDS = /\bE[A-Z]{3,}\b|ERR_|socket hang up|getaddrinfo|Parse Error|SSL routines|Hostname\/IP|first certificate|Unexpected server response|Sec-WebSocket|\bat \S+:\d+/;

async function failure(url: string, options: { ca?: string[] } = {}): Promise<ConnectionError> {
  const endpoint = resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url, apiKey: 'sk-test' });
  const error = await WebSocketTransport.connect(endpoint, { timeoutMs: 10_000, ...options }).then(
    (transport) => { void transport.close(); assert.fail('the connection was accepted'); },
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof ConnectionError, `a ConnectionError, got ${String(error)}`);
  return error;
}

function assertHumanLine(error: ConnectionError, url: string, says: RegExp): void {
  const line = error.message;
  assert.equal(line.includes('\n'), false, line);
  assert.ok(line.startsWith(`cannot connect to ${url}/realtime: `), line);
  assert.match(line, says);
  assert.doesNotMatch(line, NODE_WORDS);
}

async function tlsServer(certificate: Promise<TestCertificate>): Promise<number> {
  const { cert, key } = await certificate;
  return listen(createHttpsServer({ cert, key }));
}

test('a server that hangs up on the upgrade request ("socket hang up"): it closed the connection without answering; is it a WebSocket server, is the port right', async () => {
  const port = await listen(createTcpServer((socket) => socket.once('data', () => socket.end())));
  const url = `ws://127.0.0.1:${port}/v1`;
  const error = await failure(url);
  assertHumanLine(error, url, /closed the connection without answering.*port/);
  assert.equal(error.retryable, true);
});

test('a gateway answering 502 ("Unexpected server response: 502"): a gateway in front of the server could not reach it; try again later', async () => {
  const server = createHttpServer((_request, response) => response.writeHead(502).end());
  server.on('upgrade', (_request, socket: Socket) => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'));
  const url = `ws://127.0.0.1:${await listen(server)}/v1`;
  const error = await failure(url);
  assertHumanLine(error, url, /502 Bad Gateway.*try again later/);
  assert.equal(error.status, 502);
});

test('a server that does not speak HTTP (a Parse Error): is the port right', async () => {
  const port = await listen(createTcpServer((socket) => socket.once('data', () => socket.write('SSH-2.0-OpenSSH_9.2\r\n'))));
  const url = `ws://127.0.0.1:${port}/v1`;
  assertHumanLine(await failure(url), url, /did not answer in HTTP.*port/);
});

test('an upgrade answered with a wrong WebSocket handshake: not a WebSocket server, or something in between changed the answer', async () => {
  const server = createHttpServer();
  server.on('upgrade', (_request, socket: Socket) => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: wrong\r\n\r\n'));
  const url = `ws://127.0.0.1:${await listen(server)}/v1`;
  assertHumanLine(await failure(url), url, /WebSocket handshake/);
});

test('ws:// to a TLS server: it hung up; the hint names wss://', async () => {
  const port = await tlsServer(selfSignedFor127());
  const url = `ws://127.0.0.1:${port}/v1`;
  assertHumanLine(await failure(url), url, /wss:\/\//);
});

test('wss:// to a plain server (OpenSSL\'s "wrong version number"): the server does not speak TLS there; the hint names ws://', async () => {
  const port = await listen(createHttpServer());
  const url = `wss://127.0.0.1:${port}/v1`;
  const error = await failure(url);
  assertHumanLine(error, url, /does not speak TLS.*ws:\/\//);
});

test('a self-signed certificate: the hint names --ca and NODE_EXTRA_CA_CERTS', async () => {
  const url = `wss://127.0.0.1:${await tlsServer(selfSignedFor127())}/v1`;
  assertHumanLine(await failure(url), url, /self-signed.*--ca FILE.*NODE_EXTRA_CA_CERTS/);
});

test('a certificate from a CA this machine does not trust ("unable to verify the first certificate"): the hint names --ca and NODE_EXTRA_CA_CERTS', async () => {
  const url = `wss://127.0.0.1:${await tlsServer(signedByUnknownCa())}/v1`;
  assertHumanLine(await failure(url), url, /not signed by a certificate authority this machine trusts.*--ca FILE.*NODE_EXTRA_CA_CERTS/);
});

test('an expired certificate: it expired, or this machine\'s clock is wrong', async () => {
  const certificate = expiredFor127();
  const url = `wss://127.0.0.1:${await tlsServer(certificate)}/v1`;
  assertHumanLine(await failure(url, { ca: [(await certificate).cert] }), url, /certificate has expired.*clock/);
});

test('a certificate for another host ("Hostname/IP does not match certificate\'s altnames"): the certificate is for another name; check the host in the URL', async () => {
  const certificate = forAnotherHost();
  const url = `wss://127.0.0.1:${await tlsServer(certificate)}/v1`;
  assertHumanLine(await failure(url, { ca: [(await certificate).cert] }), url, /certificate is for another host name.*127\.0\.0\.1.*check the host/);
});

/** A server that completes the upgrade, then sends bytes that are no WebSocket frame: with the 101 in one write, or after it. */
async function garbageAfterUpgrade(sameWrite: boolean): Promise<string> {
  const server = createHttpServer();
  server.on('upgrade', (request, socket: Socket) => {
    const upgrade = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(request.headers['sec-websocket-key']!)}\r\n\r\n`;
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff]);
    if (sameWrite) socket.write(Buffer.concat([Buffer.from(upgrade), garbage]));
    else socket.write(upgrade, () => socket.once('data', () => socket.write(garbage)));
  });
  return `ws://127.0.0.1:${await listen(server)}/v1`;
}

for (const sameWrite of [true, false]) {
  test(`garbage after the upgrade (${sameWrite ? 'in the same packet, before anyone listens' : 'once the client speaks'}): the connection closes at once with a human reason (no unhandled error, no 30 s wait for a close frame)`, async () => {
    const url = await garbageAfterUpgrade(sameWrite);
    const endpoint = resolveEndpoint({ model: 'gpt-realtime', protocol: 'ga', url, apiKey: 'sk-test' });
    const transport = await WebSocketTransport.connect(endpoint, { timeoutMs: 10_000 });
    // As the session does: listeners come a few turns after the connection opened.
    await new Promise((resolve) => setImmediate(resolve));
    const closed = new Promise<[number, string]>((resolve) => transport.on('close', (code: number, reason: string) => resolve([code, reason])));
    transport.on('error', () => undefined);
    if (!sameWrite) transport.send('{"type":"session.update","session":{}}');
    const deadline = AbortSignal.timeout(5_000);
    const [code, reason] = await Promise.race([closed, new Promise<never>((_resolve, reject) => deadline.addEventListener('abort', () => reject(new Error('no close within 5 s'))))]);
    assert.equal(code, 1006);
    assert.match(reason, /the server sent data that is not WebSocket/);
    assert.doesNotMatch(reason, NODE_WORDS);
  });
}
