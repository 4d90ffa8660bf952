import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { UsageError } from '../../src/errors.js';

const base = { model: 'gpt-realtime', protocol: 'ga' as const, apiKey: 'sk-test-123456789' };

test('OpenAI by default: wss URL with the model and a bearer key', () => {
  const endpoint = resolveEndpoint(base);
  assert.equal(endpoint.url, 'wss://api.openai.com/v1/realtime?model=gpt-realtime');
  assert.deepEqual(endpoint.headers, { Authorization: 'Bearer sk-test-123456789' });
  assert.ok(!endpoint.label.includes('sk-'));
});

test('beta protocol adds the OpenAI-Beta header', () => {
  const endpoint = resolveEndpoint({ ...base, protocol: 'beta', model: 'gpt-4o-realtime-preview-2024-10-01' });
  assert.equal(endpoint.headers['OpenAI-Beta'], 'realtime=v1');
  assert.match(endpoint.url, /model=gpt-4o-realtime-preview-2024-10-01$/);
});

test('--url is a base URL: /realtime is appended like the official SDK does', () => {
  assert.equal(resolveEndpoint({ ...base, url: 'ws://127.0.0.1:9000/v1' }).url, 'ws://127.0.0.1:9000/v1/realtime?model=gpt-realtime');
  assert.equal(resolveEndpoint({ ...base, url: 'ws://127.0.0.1:9000/v1/realtime' }).url, 'ws://127.0.0.1:9000/v1/realtime?model=gpt-realtime');
  assert.equal(resolveEndpoint({ ...base, url: 'wss://h/v1/realtime?model=other' }).url, 'wss://h/v1/realtime?model=other');
});

test('OPENAI_BASE_URL http(s) becomes ws(s)', () => {
  assert.equal(resolveEndpoint({ ...base, baseUrl: 'https://proxy.example/v1' }).url, 'wss://proxy.example/v1/realtime?model=gpt-realtime');
  assert.equal(resolveEndpoint({ ...base, baseUrl: 'http://localhost:8080/v1/' }).url, 'ws://localhost:8080/v1/realtime?model=gpt-realtime');
  assert.equal(resolveEndpoint({ ...base, baseUrl: 'https://x/v1', url: 'ws://y/v1' }).url, 'ws://y/v1/realtime?model=gpt-realtime');
});

test('Azure GA endpoint uses /openai/v1/realtime and the api-key header', () => {
  const endpoint = resolveEndpoint({ ...base, azureEndpoint: 'https://res.openai.azure.com', azureDeployment: 'my-rt' });
  assert.equal(endpoint.url, 'wss://res.openai.azure.com/openai/v1/realtime?model=my-rt');
  assert.deepEqual(endpoint.headers, { 'api-key': 'sk-test-123456789' });
});

test('Azure preview endpoint takes api-version and deployment as query parameters', () => {
  const endpoint = resolveEndpoint({ ...base, azureEndpoint: 'https://res.openai.azure.com/', azureDeployment: 'd1', apiVersion: '2024-10-01-preview' });
  assert.equal(endpoint.url, 'wss://res.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=d1');
});

test('bad URLs and a missing Azure deployment are usage errors with one line', () => {
  assert.throws(() => resolveEndpoint({ ...base, url: 'ftp://x' }), (error: unknown) => error instanceof UsageError && /ws:\/\//.test(error.message));
  assert.throws(() => resolveEndpoint({ ...base, url: 'not a url' }), UsageError);
  assert.throws(() => resolveEndpoint({ ...base, azureEndpoint: 'https://r.openai.azure.com' }), /--azure-deployment/);
});

test('a transcription session connects with ?intent=transcription and no model, as the SDK does', () => {
  const { model: _none, ...rest } = base;
  assert.equal(resolveEndpoint({ ...rest, intent: 'transcription' }).url, 'wss://api.openai.com/v1/realtime?intent=transcription');
  assert.equal(resolveEndpoint({ ...base, intent: 'transcription', url: 'ws://h/v1/realtime?model=x' }).url, 'ws://h/v1/realtime?intent=transcription');
});
