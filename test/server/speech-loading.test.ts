/**
 * `kaiwa serve` listens before its speech parts have loaded (seconds: the recognizer's model):
 * an app's tests started right after `kaiwa serve &` are held at the upgrade, not refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { ConnectionHook } from '../../src/server/connection-hook.js';
import type { SpeechParts } from '../../src/server/speech-parts.js';
import { startTestServer, userText } from '../helpers/server-harness.js';
import { TestClient } from '../helpers/server-client.js';
import { fakeSpeech } from '../helpers/server-speech.js';
import { waitFor } from '../helpers/wait-for.js';

function loading(): { speech: Promise<SpeechParts>; ready(parts: SpeechParts): void } {
  let ready!: (parts: SpeechParts) => void;
  return { speech: new Promise((resolve) => { ready = resolve; }), ready: (parts) => ready(parts) };
}

/** Counts the upgrades the server has been asked for (accepting each). */
function countingHook(): ConnectionHook & { upgrades: number } {
  const hook = { upgrades: 0, refusal: () => { hook.upgrades += 1; return undefined; }, connect: (socket: Parameters<ConnectionHook['connect']>[0], open: Parameters<ConnectionHook['connect']>[1]) => open(socket.transport) };
  return hook;
}

test('a client that connects while the speech parts load is held, then served with them', async () => {
  const parts = loading();
  const hook = countingHook();
  const server = await startTestServer({ speech: parts.speech, connectionHook: hook });
  let opened = false;
  const connecting = TestClient.connect(server.url).then((client) => { opened = true; return client; });
  await waitFor(() => hook.upgrades === 1, { what: 'the upgrade request reached the server' });
  // Asked after the upgrade and answered: an upgrade not held would have been answered first.
  assert.equal((await fetch(`${server.url.replace(/^ws/, 'http')}/realtime`)).status, 426);
  assert.equal(opened, false, 'no 101 while the speech parts load');
  parts.ready(fakeSpeech());
  const client = await connecting;
  await client.next('session.created');
  client.send(userText('are you there'));
  client.send({ type: 'response.create' });
  const events = await client.until('response.done');
  assert.ok(events.some((event) => event.type === 'response.output_audio.delta'), 'the loaded voice speaks the reply');
  await client.close();
});

test('a client that gave up while held is let go; the server serves the next one and closes cleanly with one still waiting', async () => {
  const parts = loading();
  const hook = countingHook();
  const server = await startTestServer({ speech: parts.speech, connectionHook: hook });
  const impatient = new WebSocket(`${server.url}/realtime`);
  const gaveUp = new Promise((resolve) => impatient.once('error', resolve));
  await waitFor(() => hook.upgrades === 1, { what: 'the first upgrade reached the server' });
  impatient.terminate();
  await gaveUp;
  parts.ready(fakeSpeech());
  const second = await TestClient.connect(server.url);
  await second.next('session.created');
  await second.close();

  const slow = loading();
  const closing = await startTestServer({ speech: slow.speech, connectionHook: countingHook() });
  const waiting = TestClient.connect(closing.url).catch((error: Error) => error);
  await closing.close();
  slow.ready(fakeSpeech());
  assert.ok(await waiting instanceof Error, 'the client held when the server closed is let go, not upgraded');
});
