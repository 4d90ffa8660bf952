/**
 * kaiwa behind an HTTP proxy (HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, NO_PROXY), as curl and npm
 * are: the WebSocket is tunnelled with CONNECT. The server is named `realtime.invalid`, which
 * no resolver knows: only a connection through the proxy (which tunnels to 127.0.0.1) reaches it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRealtimeServer, type RealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { fakeSpeech } from '../helpers/server-speech.js';

const closing: Array<{ close(): Promise<void> }> = [];
after(async () => { for (const each of closing) await each.close(); });

async function serverAndProxy(credentials?: string): Promise<{ server: RealtimeServer; proxy: ConnectProxy; port: number }> {
  const server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: fakeSpeech() });
  const proxy = await startConnectProxy(credentials ? { credentials } : {});
  closing.push(server, proxy);
  return { server, proxy, port: Number(new URL(server.url).port) };
}

const typedTurn = ['--text', 'hello through the proxy', '--once', '--no-mic', '--no-speaker'];
const KEY = 'sk-test-proxy-0000';

test('with HTTP_PROXY set, kaiwa tunnels its WebSocket through the proxy (CONNECT) and the answer comes back', async () => {
  const { proxy, port } = await serverAndProxy();
  const result = await runKaiwa(['--url', `ws://realtime.invalid:${port}/v1`, ...typedTurn], { env: { OPENAI_API_KEY: KEY, HTTP_PROXY: proxy.url } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^assistant: You said: hello through the proxy$/m);
  assert.deepEqual(proxy.tunnels, [`realtime.invalid:${port}`]);
});

test('a proxy that wants credentials: one line that says so and how to give them, exit 1; given in the URL they are sent, and never shown', async () => {
  const { proxy, port } = await serverAndProxy('kaiwa:s3cret-proxy-pass');
  const refused = await runKaiwa(['--url', `ws://realtime.invalid:${port}/v1`, ...typedTurn], { env: { OPENAI_API_KEY: KEY, HTTP_PROXY: proxy.url } });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^kaiwa: cannot connect to ws:\/\/realtime\.invalid:\d+\/v1\/realtime: the proxy http:\/\/127\.0\.0\.1:\d+ refused to open a tunnel: it asks for credentials \(407\)/m);
  assertNoStackTrace(refused.stderr);
  const withCredentials = proxy.url.replace('http://', 'http://kaiwa:s3cret-proxy-pass@');
  const answered = await runKaiwa(['--url', `ws://realtime.invalid:${port}/v1`, ...typedTurn, '--debug'], { env: { OPENAI_API_KEY: KEY, HTTP_PROXY: withCredentials } });
  assert.equal(answered.code, 0, answered.stderr);
  assert.match(answered.stdout, /You said: hello through the proxy/);
  assert.ok(!`${answered.stdout}${answered.stderr}${refused.stderr}`.includes('s3cret'), 'the proxy password is never printed');
  assert.match(answered.stderr, /connecting through the proxy http:\/\/127\.0\.0\.1:\d+$/m);
});

test('NO_PROXY and loopback addresses go direct: the proxy is not asked', async () => {
  const { proxy, port } = await serverAndProxy();
  const loopback = await runKaiwa(['--url', `ws://127.0.0.1:${port}/v1`, ...typedTurn], { env: { OPENAI_API_KEY: KEY, HTTP_PROXY: proxy.url } });
  assert.equal(loopback.code, 0, loopback.stderr);
  const excepted = await runKaiwa(['--url', `ws://localhost:${port}/v1`, ...typedTurn], { env: { OPENAI_API_KEY: KEY, ALL_PROXY: proxy.url, NO_PROXY: 'example.com,localhost' } });
  assert.equal(excepted.code, 0, excepted.stderr);
  const unproxied = await runKaiwa(['--url', `ws://realtime.invalid:${port}/v1`, ...typedTurn], { env: { OPENAI_API_KEY: KEY, HTTP_PROXY: proxy.url, NO_PROXY: '.invalid' } });
  assert.equal(unproxied.code, 1, 'realtime.invalid asked for directly: no such host');
  // A machine without any resolver says EAI_AGAIN instead of ENOTFOUND: either way, kaiwa looked the name up itself.
  assert.match(unproxied.stderr, /host not found|DNS lookup failed/);
  assert.deepEqual(proxy.tunnels, []);
});

test('a proxy nobody listens on: one line naming it, exit 1', async () => {
  const { proxy, port } = await serverAndProxy();
  const gone = proxy.url;
  await proxy.close();
  const result = await runKaiwa(['--url', `ws://realtime.invalid:${port}/v1`, ...typedTurn], { env: { OPENAI_API_KEY: KEY, HTTPS_PROXY: gone, HTTP_PROXY: gone } });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^kaiwa: cannot connect to ws:\/\/realtime\.invalid:\d+\/v1\/realtime through the proxy http:\/\/127\.0\.0\.1:\d+: the proxy refused the connection/m);
  assert.equal(result.stderr.trim().split('\n').filter((line) => line.startsWith('kaiwa:')).length, 1, result.stderr);
});
