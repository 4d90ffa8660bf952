import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { proxyRouteFor } from '../../src/client/proxy.js';
import { UsageError } from '../../src/errors.js';

const VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy'];
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
afterEach(() => { for (const name of VARIABLES) { if (saved[name] === undefined) delete process.env[name]; else process.env[name] = saved[name]; } });

/** proxy-from-env reads the process's environment, as the CLI's is: the test sets it there. */
function environment(values: Record<string, string>): NodeJS.ProcessEnv {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  return process.env;
}

test('wss: goes through HTTPS_PROXY and ws: through HTTP_PROXY, as https: and http: do for curl; ALL_PROXY serves both', async () => {
  const env = environment({ HTTP_PROXY: 'http://plain.proxy:3128' });
  assert.equal(await proxyRouteFor('wss://api.openai.com/v1/realtime', env), undefined);
  assert.equal((await proxyRouteFor('ws://realtime.example:8765/v1', env))?.label, 'http://plain.proxy:3128');
  const secure = environment({ https_proxy: 'http://secure.proxy:8080' });
  assert.equal((await proxyRouteFor('wss://api.openai.com/v1/realtime', secure))?.label, 'http://secure.proxy:8080');
  const all = environment({ ALL_PROXY: 'http://all.proxy:1080' });
  assert.equal((await proxyRouteFor('wss://api.openai.com/v1/realtime', all))?.label, 'http://all.proxy:1080');
});

test('the label never carries credentials; host:port without a scheme is an http: proxy; a value that is no URL is a usage error', async () => {
  const env = environment({ HTTPS_PROXY: 'http://me:hunter2@corp.proxy:3128' });
  assert.equal((await proxyRouteFor('wss://api.openai.com/v1/realtime', env))?.label, 'http://corp.proxy:3128');
  const bare = environment({ HTTPS_PROXY: 'corp.proxy:3128' });
  assert.equal((await proxyRouteFor('wss://api.openai.com/v1/realtime', bare))?.label, 'http://corp.proxy:3128');
  const broken = environment({ HTTPS_PROXY: 'http://[not a host' });
  await assert.rejects(proxyRouteFor('wss://api.openai.com/v1/realtime', broken), UsageError);
});

test('loopback and NO_PROXY hosts go direct; nothing is loaded when no proxy is set', async () => {
  const env = environment({ ALL_PROXY: 'http://all.proxy:1080', NO_PROXY: '.openai.azure.com' });
  for (const url of ['ws://127.0.0.1:8765/v1', 'ws://localhost:8765/v1', 'ws://[::1]:8765/v1', 'wss://kaiwa.openai.azure.com/openai/realtime']) {
    assert.equal(await proxyRouteFor(url, env), undefined, url);
  }
  assert.equal(await proxyRouteFor('wss://api.openai.com/v1/realtime', environment({})), undefined);
});
