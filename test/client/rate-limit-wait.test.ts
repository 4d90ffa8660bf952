import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateLimitWaitMs } from '../../src/client/rate-limit-wait.js';
import type { Response } from '../../src/protocol/events.js';

const failed = (code: string, message: string): Response => ({
  id: 'r', object: 'realtime.response', status: 'failed', output: [], conversation_id: 'conv', metadata: null,
  status_details: { type: 'failed', error: { type: 'tokens', code, message } },
} as unknown as Response);

test('the wait a rate-limited answer names is read in seconds or milliseconds, a second when none is named', () => {
  assert.equal(rateLimitWaitMs(failed('rate_limit_exceeded', 'Limit 40000, Used 40000. Please try again in 1.8s.')), 1800);
  assert.equal(rateLimitWaitMs(failed('rate_limit_exceeded', 'Please try again in 350ms.')), 350);
  assert.equal(rateLimitWaitMs(failed('rate_limit_exceeded', 'Slow down.')), 1000);
});

test('a response that did not fail for a rate limit names no wait', () => {
  assert.equal(rateLimitWaitMs(failed('server_error', 'Please try again in 2s.')), undefined);
  assert.equal(rateLimitWaitMs({ ...failed('rate_limit_exceeded', 'x'), status: 'cancelled' } as Response), undefined);
});
