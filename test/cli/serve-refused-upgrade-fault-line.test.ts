/**
 * `kaiwa serve --faults refuse=…`: each refused upgrade is one `fault:` line in the log, as
 * every other fault is, and the injector reports it like the others (its `fault` event and
 * history).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from '../helpers/serve-run.js';
import { startTestServer } from '../helpers/server-harness.js';
import { TestClient } from '../helpers/server-client.js';
import { FaultInjector } from '../../src/testing/index.js';

test('refuse=503*2: two refused upgrades, two fault lines; the accepted connection none', async () => {
  const running = await serve({ faults: 'refuse=503*2' });
  await assert.rejects(TestClient.connect(running.server.url), /HTTP 503/);
  await assert.rejects(TestClient.connect(running.server.url), /HTTP 503/);
  const client = await TestClient.connect(running.server.url);
  await client.next('session.created');
  await client.close();
  const lines = running.err.filter((line) => line.startsWith('fault:'));
  assert.deepEqual(lines, [
    'fault: refused a connection with 503 Service Unavailable at its upgrade',
    'fault: refused a connection with 503 Service Unavailable at its upgrade',
  ]);
});

test('refuse=429 (every upgrade): each one is a line', async () => {
  const running = await serve({ faults: 'refuse=429' });
  await assert.rejects(TestClient.connect(running.server.url), /HTTP 429/);
  await assert.rejects(TestClient.connect(running.server.url), /HTTP 429/);
  assert.deepEqual(running.err.filter((line) => line.startsWith('fault:')), [
    'fault: refused a connection with 429 Too Many Requests at its upgrade',
    'fault: refused a connection with 429 Too Many Requests at its upgrade',
  ]);
});

test('the injector reports a refusal as a fault, with its status', async () => {
  const faults = new FaultInjector();
  const server = await startTestServer({ connectionHook: faults });
  faults.refuseNext(1, 401);
  const emitted: unknown[] = [];
  faults.on('fault', (report) => emitted.push(report));
  await assert.rejects(TestClient.connect(server.url), /HTTP 401/);
  const report = { sessionId: '', action: 'refuse', trigger: 'upgrade', direction: 'upgrade', status: 401 };
  // Reported before the answer is written, so it is there once the client has it.
  assert.deepEqual(emitted, [report]);
  assert.deepEqual(faults.history, [report]);
});
