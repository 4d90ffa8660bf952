import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { gaSessionCreated, gaVoiceTurn } from '../helpers/event-scripts.js';
import { runKaiwaIntoFiles } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();

test('the summary counts the turns of the whole run, also when it ends just after a reconnect emptied the conversation', async () => {
  let nextId = 0;
  const server = await startScriptedServer({
    // Each connection begins a session, as the service's do: a connection that never did would end the run, not be reconnected.
    onConnection: (connection) => connection.send(gaSessionCreated()),
    onEvent: (connection, event) => {
      // The fifth connection, the one the run ends on, is slow to announce what was restored.
      if (event.type === 'conversation.item.create' && server.connections.indexOf(connection) < 4) {
        connection.send({ type: 'conversation.item.added', event_id: `e${++nextId}`, previous_item_id: null, item: { id: `item_${nextId}`, ...(event.item as object), status: 'completed' } });
      }
      if (event.type !== 'response.create') return;
      // Every answer is cut off by the connection going down, as `kaiwa serve --faults drop-mid-response` does.
      const turn = gaVoiceTurn({ assistantTranscript: 'Cut off', audioChunks: [] });
      const firstDelta = turn.findIndex((reply) => (reply as { type: string }).type === 'response.output_audio_transcript.delta');
      turn.slice(0, firstDelta + 1).forEach((reply) => connection.send(reply));
      connection.close(1011);
    },
  });
  try {
    const file = join(dir, 'turns.log');
    const { code, stdout: output } = await runKaiwaIntoFiles(['--url', server.url, '--no-mic', '--no-speaker'], { stdout: file, stderr: file }, { env: { OPENAI_API_KEY: 'sk-test' }, stdin: 'one\ntwo\n' });
    assert.equal(code, 1, output);
    assert.match(output, /^session ended: .* · 2 turns · /m, output);
  } finally {
    await server.close();
  }
});
