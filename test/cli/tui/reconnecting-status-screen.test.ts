/** While kaiwa reconnects the status bar says so, and what becomes of speech and typed lines then; back to the true state once reconnected (tmux against a scripted server). */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { kaiwaInTmux, type TmuxSession } from '../../helpers/tmux.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startScriptedServer, type ScriptedConnection, type ScriptedServer, type WireJson } from '../../helpers/scripted-server.js';
import { gaSessionCreated } from '../../helpers/event-scripts.js';

/** Answers a config and a typed line (with a short text reply); says nothing else. */
function answer(connection: ScriptedConnection, event: WireJson): void {
  if (event.type === 'session.update') connection.send({ ...(gaSessionCreated() as object), type: 'session.updated' });
  if (event.type === 'conversation.item.create') {
    connection.send({ type: 'conversation.item.added', event_id: 'e1', previous_item_id: null, item: { ...(event.item as object), status: 'completed' } });
  }
  if (event.type !== 'response.create') return;
  const metadata = (event.response as { metadata?: object } | undefined)?.metadata ?? null;
  const item = { id: 'item_back', type: 'message', object: 'realtime.item', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Heard you again' }] };
  connection.send({ type: 'response.created', event_id: 'e2', response: { object: 'realtime.response', id: 'resp_back', status: 'in_progress', output: [], conversation_id: 'conv_1', metadata } });
  connection.send({ type: 'response.output_item.added', event_id: 'e3', response_id: 'resp_back', output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
  connection.send({ type: 'response.output_text.delta', event_id: 'e4', response_id: 'resp_back', item_id: 'item_back', output_index: 0, content_index: 0, delta: 'Heard you again' });
  connection.send({ type: 'response.done', event_id: 'e5', response: { object: 'realtime.response', id: 'resp_back', status: 'completed', output: [item], conversation_id: 'conv_1', metadata } });
}

/**
 * The first connection works until the test drops it; the first reconnect is accepted and
 * closed before its session begins (attempt 1 fails); the second is held until `letIn`.
 */
async function droppingServer(t: TestContext): Promise<{ server: ScriptedServer; letIn: () => void }> {
  let upgrades = 0;
  let letIn!: () => void;
  const held = new Promise<void>((resolve) => { letIn = resolve; });
  const server = await startScriptedServer({
    acceptWhen: () => (++upgrades === 3 ? held : Promise.resolve()),
    onConnection: (connection) => (server.connections.length === 2 ? connection.close(1011) : connection.send(gaSessionCreated())),
    onEvent: answer,
  });
  t.after(async () => {
    letIn();
    await server.close();
  });
  return { server, letIn };
}

async function quit(tmux: TmuxSession): Promise<void> {
  tmux.sendKeys('C-c');
  await tmux.waitFor(/\[exit \d+\]/);
}

/** The status bar: the screen's last line with text on it. */
function statusOf(screen: string): string {
  return screen.split('\n').filter((line) => line.trim()).at(-1) ?? '';
}

test('without a microphone: "reconnecting (attempt 2) · what you type waits to be sent", a line typed then is sent once back, and the status is "type to talk" again', async (t) => {
  const { server, letIn } = await droppingServer(t);
  const tmux = kaiwaInTmux(`--url ${server.url} --no-mic --no-speaker`, 100, { OPENAI_API_KEY: 'sk-test' });
  try {
    await tmux.waitFor(/no microphone · type to talk/);
    server.connections[0]!.close(1011);
    const screen = await tmux.waitFor(/↻ reconnecting \(attempt 2\) · what you type waits to be sent/);
    assert.doesNotMatch(statusOf(screen), /type to talk|listening/);
    tmux.sendKeys('-l', 'are you back');
    await tmux.waitFor(/› are you back▏/);
    tmux.sendKeys('Enter');
    // The line is taken (the prompt empty again) while the connection is still down: it is held.
    await tmux.waitFor(/› ▏\n.*↻ reconnecting/);
    assert.equal(server.connections.length, 2);
    letIn();
    const back = await tmux.waitFor(/assistant: Heard you again[\s\S]*✎ no microphone · type to talk/);
    assert.doesNotMatch(statusOf(back), /reconnecting|connection lost/);
    const texts = server.connections[2]!.received.filter((event) => event.type === 'conversation.item.create').map((event) => JSON.stringify(event.item));
    assert.ok(texts.some((text) => text.includes('are you back')), 'the line typed while down reached the new connection');
    await quit(tmux);
  } finally {
    await tmux.kill();
  }
});

/** A minute of silence standing in for a microphone. */
function silenceWav(): string {
  const path = join(tempDir(), 'silence.wav');
  execFileSync('sox', ['-n', '-r', '24000', '-c', '1', '-b', '16', path, 'trim', '0', '60']);
  return path;
}

test('with a microphone: "reconnecting (attempt 2) · what you say now is not heard", no level meter, and "● listening" again once back', async (t) => {
  const { server, letIn } = await droppingServer(t);
  const tmux = kaiwaInTmux(`--url ${server.url} --input ${silenceWav()} --no-speaker`, 100, { OPENAI_API_KEY: 'sk-test' });
  try {
    await tmux.waitFor(/● listening {2}▯/);
    server.connections[0]!.close(1011);
    const screen = await tmux.waitFor(/↻ reconnecting \(attempt 2\) · what you say now is not heard/);
    assert.doesNotMatch(statusOf(screen), /listening|▯|▮/);
    letIn();
    await waitFor(() => server.connections.length === 3, { what: 'the held reconnect to be let in' });
    const back = await tmux.waitFor(/● listening {2}▯/);
    assert.doesNotMatch(statusOf(back), /reconnecting|connection lost/);
    await quit(tmux);
  } finally {
    await tmux.kill();
  }
});
