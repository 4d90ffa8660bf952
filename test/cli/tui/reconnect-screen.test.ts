/** After a reconnect the status shows what the new session does, not a reply the lost connection cut off (tmux against a scripted server). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';
import { startScriptedServer, type ScriptedConnection, type WireJson } from '../../helpers/scripted-server.js';
import { gaSessionCreated } from '../../helpers/event-scripts.js';

/** The first connection begins the reply and drops in the middle of it; the second refuses the reply asked for again. */
function answer(connection: ScriptedConnection, event: WireJson, first: boolean): void {
  if (event.type === 'session.update') connection.send({ ...(gaSessionCreated() as object), type: 'session.updated' });
  if (event.type === 'conversation.item.create') {
    connection.send({ type: 'conversation.item.added', event_id: 'e1', previous_item_id: null, item: { ...(event.item as object), status: 'completed' } });
  }
  if (event.type !== 'response.create') return;
  if (!first) {
    connection.send({ type: 'error', event_id: 'e5', error: { type: 'invalid_request_error', code: 'refused_for_the_test', message: 'not answering', event_id: event.event_id } });
    return;
  }
  const metadata = (event.response as { metadata?: object } | undefined)?.metadata ?? null;
  connection.send({ type: 'response.created', event_id: 'e2', response: { object: 'realtime.response', id: 'resp_cut', status: 'in_progress', output: [], conversation_id: 'conv_1', metadata } });
  connection.send({ type: 'response.output_item.added', event_id: 'e3', response_id: 'resp_cut', output_index: 0, item: { id: 'item_cut', type: 'message', object: 'realtime.item', status: 'in_progress', role: 'assistant', content: [] } });
  connection.send({ type: 'response.output_text.delta', event_id: 'e4', response_id: 'resp_cut', item_id: 'item_cut', output_index: 0, content_index: 0, delta: 'It is half' });
  connection.close(1011);
}

test('a reply a lost connection cut off is not shown as still coming after the reconnect: the status is idle once nothing is asked', async (t) => {
  const server = await startScriptedServer({
    onConnection: (connection) => connection.send(gaSessionCreated()),
    onEvent: (connection, event) => answer(connection, event, connection === server.connections[0]),
  });
  t.after(() => server.close());
  const tmux = kaiwaInTmux(`--url ${server.url} --no-mic --no-speaker`, 100, { OPENAI_API_KEY: 'sk-test' });
  try {
    await tmux.waitFor(/no microphone · type to talk/);
    tmux.sendKeys('-l', 'what time is it');
    tmux.sendKeys('Enter');
    // The reply is asked for again on the new connection, which refuses it: nothing is coming now.
    const screen = await tmux.waitFor(/refused kaiwa's request[\s\S]*no microphone · type to talk/);
    assert.match(screen, /It is half — \[connection lost\]/, 'the cut-off reply is shown as cut off');
    assert.doesNotMatch(screen.split('\n').filter((line) => line.includes('no microphone')).join('\n'), /thinking|speaking/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit \d+\]/);
  } finally {
    await tmux.kill();
  }
});
