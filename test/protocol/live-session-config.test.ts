import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveStartConfig, gaSessionOf } from '../../src/protocol/live/live-session-config.js';
import { resolveEndpoint } from '../../src/client/endpoint.js';
import { livePriceFor, liveCost } from '../../src/cost/live-pricing.js';
import type { SessionConfig } from '../../src/protocol/events.js';

const tool = { type: 'function', name: 'get_time', description: 'The time.', parameters: { type: 'object', properties: {} } } as const;

test('session.start takes model, instructions, one audio format and the voice; tools go to a Responses backend when one is named', () => {
  const session = {
    type: 'realtime', model: 'gpt-live-1', instructions: 'Short.', output_modalities: ['audio'], tools: [tool], max_output_tokens: 200,
    audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: { type: 'server_vad' } }, output: { format: { type: 'audio/pcmu' }, voice: 'marin', speed: 1.2 } },
  } as unknown as SessionConfig;
  const { config, dropped } = liveStartConfig(session, { delegateModel: 'gpt-backend' });
  assert.deepEqual(config, {
    model: 'gpt-live-1', instructions: 'Short.',
    audio: { format: { type: 'audio/pcmu', rate: 8000 }, output: { voice: 'marin' } },
    delegation: { type: 'responses', responses: { model: 'gpt-backend', tools: [{ type: 'function', name: 'get_time', description: 'The time.', parameters: tool.parameters }] } },
  });
  assert.deepEqual(dropped, ['max_output_tokens', 'audio.output.speed'], 'built-in turn detection goes unmentioned');
  assert.deepEqual(liveStartConfig(session).dropped.at(-1), 'tools (no --delegate-model)');
});

test('a started Live session reads as a GA session with server-side turn detection that interrupts', () => {
  const ga = gaSessionOf({ id: 's', expires_at: 1, model: 'gpt-live-1', status: 'active', audio: { format: { type: 'audio/pcm', rate: 24000 }, output: { voice: 'cedar' } } });
  assert.equal(ga.model, 'gpt-live-1');
  assert.deepEqual(ga.audio?.output, { format: { type: 'audio/pcm', rate: 24000 }, voice: 'cedar' });
  assert.equal(ga.audio?.input?.turn_detection?.type, 'server_vad');
});

test('the Live endpoint is the base URL + /live/sessions, as the SDK builds it, with no model in the URL', () => {
  const key = { apiKey: 'sk-x' };
  assert.equal(resolveEndpoint({ protocol: 'live', model: 'gpt-live-1', ...key }).url, 'wss://api.openai.com/v1/live/sessions');
  assert.equal(resolveEndpoint({ protocol: 'live', url: 'http://127.0.0.1:8765/v1', ...key }).url, 'ws://127.0.0.1:8765/v1/live/sessions');
  assert.equal(resolveEndpoint({ protocol: 'live', baseUrl: 'https://proxy.example/v1/live/sessions/', ...key }).url, 'wss://proxy.example/v1/live/sessions');
  assert.deepEqual(resolveEndpoint({ protocol: 'live', ...key }).headers, { Authorization: 'Bearer sk-x' });
  assert.throws(() => resolveEndpoint({ protocol: 'live', azureEndpoint: 'https://x.openai.azure.com', azureDeployment: 'd' }), /no Azure form/);
});

test('Live is priced per minute of session time, from a dated source; an unknown model has no price', () => {
  const price = livePriceFor('gpt-live-1');
  assert.equal(price?.activePerMinute, 0.05);
  assert.match(price?.source ?? '', /^https:\/\/developers\.openai\.com\//);
  assert.match(price?.date ?? '', /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(Math.abs(liveCost(90, price)! - 0.075) < 1e-12, '90 s is $0.075: billed per second, not rounded to minutes');
  assert.equal(liveCost(90, livePriceFor('gpt-live-9')), undefined);
});
