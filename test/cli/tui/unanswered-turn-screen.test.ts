/** The terminal does not stay on "◌ thinking" after a turn no answer comes for (tmux against a scripted server). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';
import { startScriptedServer, type ScriptedConnection, type WireJson } from '../../helpers/scripted-server.js';
import { gaSessionCreated } from '../../helpers/event-scripts.js';

/** The session the server says it runs: its VAD closes turns, and answers none (create_response false). */
function sessionUpdated(): object {
  const created = gaSessionCreated() as { session: { audio: { input: Record<string, unknown> } } };
  created.session.audio.input.turn_detection = { type: 'server_vad', create_response: false, interrupt_response: true };
  return { ...created, type: 'session.updated' };
}

test('a turn the server\'s VAD closes and does not answer (create_response false) shows listening again, not thinking for ever', async (t) => {
  const server = await startScriptedServer({
    onConnection: (connection) => connection.send(gaSessionCreated()),
    onEvent: (connection: ScriptedConnection, event: WireJson) => {
      if (event.type !== 'session.update') return;
      connection.send(sessionUpdated());
      // Noise the server's VAD took for speech: a turn, committed, and (create_response false) nothing more.
      connection.send({ type: 'input_audio_buffer.speech_started', event_id: 'e1', item_id: 'noise', audio_start_ms: 0 });
    },
  });
  t.after(() => server.close());
  const tmux = kaiwaInTmux(`--url ${server.url} --no-mic --no-speaker`, 100, { OPENAI_API_KEY: 'sk-test' });
  try {
    await tmux.waitFor(/you’re speaking/);
    server.connections[0]!.send({ type: 'input_audio_buffer.speech_stopped', event_id: 'e2', item_id: 'noise', audio_end_ms: 400 });
    server.connections[0]!.send({ type: 'input_audio_buffer.committed', event_id: 'e3', item_id: 'noise', previous_item_id: null });
    // Its transcript shows once kaiwa has taken in the commit before it: then the status must be idle.
    server.connections[0]!.send({ type: 'conversation.item.added', event_id: 'e4', previous_item_id: null, item: { id: 'noise', type: 'message', role: 'user', status: 'completed', content: [{ type: 'input_audio', transcript: null }] } });
    server.connections[0]!.send({ type: 'conversation.item.input_audio_transcription.completed', event_id: 'e5', item_id: 'noise', content_index: 0, transcript: 'hmm' });
    const screen = await tmux.waitFor(/hmm[\s\S]*no microphone · type to talk/);
    assert.doesNotMatch(screen, /thinking/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});

test('a typed line whose request for an answer the server refuses ends idle (type to talk), not thinking', async (t) => {
  const server = await startScriptedServer({
    onConnection: (connection) => connection.send(gaSessionCreated()),
    onEvent: (connection, event) => {
      if (event.type === 'session.update') connection.send({ ...(gaSessionCreated() as object), type: 'session.updated' });
      if (event.type === 'conversation.item.create') {
        const item = event.item as { id: string };
        connection.send({ type: 'conversation.item.added', event_id: 'e4', previous_item_id: null, item: { ...item, status: 'completed' } });
      }
      if (event.type === 'response.create') {
        connection.send({ type: 'error', event_id: 'e5', error: { type: 'invalid_request_error', code: 'refused_for_the_test', message: 'not answering', event_id: event.event_id } });
      }
    },
  });
  t.after(() => server.close());
  const tmux = kaiwaInTmux(`--url ${server.url} --no-mic --no-speaker`, 100, { OPENAI_API_KEY: 'sk-test' });
  try {
    await tmux.waitFor(/no microphone · type to talk/);
    tmux.sendKeys('-l', 'hello');
    tmux.sendKeys('Enter');
    const screen = await tmux.waitFor(/refused kaiwa's request[\s\S]*no microphone · type to talk/);
    assert.doesNotMatch(screen.split('\n').filter((line) => line.includes('no microphone')).join('\n'), /thinking/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit \d+\]/);
  } finally {
    await tmux.kill();
  }
});
