import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answering } from '../helpers/own-response.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { betaSessionCreated, betaVoiceTurn } from '../helpers/event-scripts.js';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';

const AZURE_KEY = 'azure-preview-test-key-31415926';

test('--api-version with a preview version speaks the beta dialect by itself (URL, headers, session.update)', async () => {
  const server = await startScriptedServer({
    onConnection: (connection) => connection.send(betaSessionCreated()),
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      for (const reply of answering(event, betaVoiceTurn({ assistantTranscript: 'Hello from the preview.', audioChunks: [] }))) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa([
      '--azure-endpoint', `http://127.0.0.1:${server.port}`, '--azure-deployment', 'my-realtime', '--api-version', '2024-10-01-preview',
      '--voice', 'alloy', '--text', 'hello', '--once', '--no-mic', '--no-speaker',
    ], { env: { AZURE_OPENAI_API_KEY: AZURE_KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^assistant: Hello from the preview\.$/m);
    const connection = server.connections[0]!;
    assert.equal(connection.url, '/openai/realtime?api-version=2024-10-01-preview&deployment=my-realtime');
    assert.equal(connection.headers['api-key'], AZURE_KEY);
    assert.equal(connection.headers['openai-beta'], 'realtime=v1');
    const { event_id: _id, ...update } = connection.received[0]!;
    assert.deepEqual(update, {
      type: 'session.update',
      session: { voice: 'alloy', input_audio_transcription: { model: 'whisper-1' }, turn_detection: { type: 'server_vad' } },
    });
    // the typed message goes out as a beta item and the answer is asked for
    assert.deepEqual(connection.received.map((event) => event.type), ['session.update', 'conversation.item.create', 'response.create']);
    assert.ok(!result.stderr.includes(AZURE_KEY) && !result.stdout.includes(AZURE_KEY));
  } finally {
    await server.close();
  }
});

test('--api-version with a preview version and an explicit --protocol ga: refused in one line naming --protocol beta', async () => {
  const result = await runKaiwa([
    '--azure-endpoint', 'https://example.openai.azure.com', '--azure-deployment', 'd', '--api-version', '2025-04-01-preview',
    '--protocol', 'ga', '--no-mic', '--no-speaker',
  ], { env: { AZURE_OPENAI_API_KEY: AZURE_KEY } });
  assert.equal(result.code, 2);
  assertNoStackTrace(result.stderr);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /^kaiwa: --api-version 2025-04-01-preview is Azure's preview interface, which speaks the beta protocol: use --protocol beta/);
});
