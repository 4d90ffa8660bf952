import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { runKaiwa } from '../helpers/cli-runner.js';

test('the API key appears in no output, log or --json stream, even when the server echoes it', async () => {
  const key = 'sk-proj-SECRETsecret1234567890abcdef';
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      connection.send({ type: 'error', event_id: 'e1', error: { type: 'invalid_request_error', code: 'invalid_value', message: `Value rejected for the key ${key}.`, param: null, event_id: null } });
      for (const reply of gaVoiceTurn({ assistantTranscript: `your key is ${key}`, audioChunks: [] })) connection.send(reply);
    },
  });
  try {
    for (const mode of [['--json'], ['--debug'], []]) {
      const result = await runKaiwa(['--url', server.url, '--text', 'hi', '--once', '--no-mic', '--no-speaker', ...mode], { env: { OPENAI_API_KEY: key } });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(server.connections.at(-1)!.headers.authorization === `Bearer ${key}`, 'the key was really used');
      for (const output of [result.stdout, result.stderr]) {
        assert.ok(!output.includes(key), `key leaked with ${mode.join(' ') || 'no flags'}:\n${output}`);
        assert.ok(!output.includes('SECRETsecret'), 'no part of the key either');
      }
    }
  } finally {
    await server.close();
  }
});
