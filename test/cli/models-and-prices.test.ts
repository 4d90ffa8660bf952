import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answering } from '../helpers/own-response.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { betaVoiceTurn, gaVoiceTurn } from '../helpers/event-scripts.js';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';

const KEY = 'sk-models-test-key-000111222';

/** A peer that answers every response.create with one spoken turn in its dialect. */
function answeringServer(dialect: 'ga' | 'beta'): Promise<ScriptedServer> {
  return startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      const turn = dialect === 'ga' ? gaVoiceTurn : betaVoiceTurn;
      for (const reply of answering(event, turn({ assistantTranscript: 'Hello there.', audioChunks: [] }))) connection.send(reply);
    },
  });
}

function sessionOf(server: ScriptedServer): Record<string, unknown> {
  const update = server.connections[0]!.received.find((event) => event.type === 'session.update');
  return (update as unknown as { session: Record<string, unknown> }).session;
}

test('the default model is gpt-realtime-2.1, and its answers are priced', async () => {
  const server = await answeringServer('ga');
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hi', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(server.connections[0]!.url, /\?model=gpt-realtime-2\.1$/);
    assert.equal(sessionOf(server).model, 'gpt-realtime-2.1');
    // SAMPLE_USAGE at gpt-realtime-2.1's rates: 102×4 + 16×32 + 22×24 = 408 + 512 + 528 = 1448 µ$
    assert.match(result.stderr, /^usage: .* · \$0\.0014$/m);
    assert.doesNotMatch(result.stderr, /cost unknown/);
  } finally {
    await server.close();
  }
});

test("the article's model (gpt-4o-realtime-preview-2024-10-01, beta) is priced at its launch rates", async () => {
  const server = await answeringServer('beta');
  try {
    const result = await runKaiwa([
      '--url', server.url, '--protocol', 'beta', '--model', 'gpt-4o-realtime-preview-2024-10-01', '--voice', 'echo',
      '--transcribe', 'whisper-1', '--vad', 'server', '--text', 'hi', '--once', '--no-mic', '--no-speaker',
    ], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    // 102×5 + 16×100 + 22×20 = 510 + 1600 + 440 = 2550 µ$
    assert.match(result.stderr, /^usage: .* · \$0\.0026$/m);
    assert.doesNotMatch(result.stderr, /cost unknown/);
  } finally {
    await server.close();
  }
});

test('--reasoning-effort goes to session.reasoning on GA', async () => {
  const server = await startScriptedServer();
  try {
    const result = await runKaiwa(['--url', server.url, '--reasoning-effort', 'xhigh', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(sessionOf(server).reasoning, { effort: 'xhigh' });
  } finally {
    await server.close();
  }
});

test('--reasoning-effort with the beta protocol: one line says it is not sent', async () => {
  const server = await startScriptedServer();
  try {
    const result = await runKaiwa(['--url', server.url, '--protocol', 'beta', '--reasoning-effort', 'low', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(sessionOf(server).reasoning, undefined);
    assert.match(result.stderr, /^warn: --reasoning-effort has no equivalent in the beta protocol \(realtime=v1\); not sent$/m);
  } finally {
    await server.close();
  }
});

test('--reasoning-effort for a model that does not reason, or a level the SDK does not know: one line, exit 2', async () => {
  const refused = await runKaiwa(['--model', 'gpt-realtime-mini', '--reasoning-effort', 'high', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(refused.code, 2);
  assertNoStackTrace(refused.stderr);
  assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  assert.match(refused.stderr, /^kaiwa: --reasoning-effort: gpt-realtime-mini is not a reasoning model/);
  const unknown = await runKaiwa(['--reasoning-effort', 'extreme', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^kaiwa: option '--reasoning-effort <level>' argument 'extreme' is invalid\. expected one of minimal, low, medium, high, xhigh\n$/);
});
