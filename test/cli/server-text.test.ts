/** What a server says reaches the user's terminal as text, never as instructions to the terminal. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { kaiwaInTmux } from '../helpers/tmux.js';

const KEY = 'sk-server-text-test-key-1234567890';
/** Every character a terminal could take as an instruction (tab and newline are layout). */
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const TITLE_AND_CLEAR = 'A\u001b]0;TITLE\u0007B\u001b[2JC';

test('a hostile server\'s transcript and 200 KB multi-line error reach stdout and stderr without control sequences, the error as one short line', async () => {
  const hugeMessage = `Bad \u001b[31mthing\u001b[0m\nsecond line\r\n${'x'.repeat(200_000)}`;
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      connection.send({ type: 'error', event_id: 'event_1', error: { type: 'invalid_request_error', code: 'odd\u001b]0;pwned\u0007', message: hugeMessage, param: null, event_id: null } });
      for (const reply of gaVoiceTurn({ assistantTranscript: `Hi ${TITLE_AND_CLEAR} 日本語 👋\u009b2J`, audioChunks: [] })) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr.slice(0, 2000));
    assert.doesNotMatch(result.stdout, TERMINAL_CONTROL, JSON.stringify(result.stdout));
    assert.doesNotMatch(result.stderr, TERMINAL_CONTROL, JSON.stringify(result.stderr.slice(0, 2000)));
    assert.match(result.stdout, /^assistant: Hi ABC 日本語 👋$/m);
    const errorLines = result.stderr.split('\n').filter((line) => line.includes('server error'));
    assert.equal(errorLines.length, 1, result.stderr.slice(0, 2000));
    const [line] = errorLines as [string];
    assert.match(line, /^warn: server error: odd: Bad thing second line xxx/);
    assert.ok(line.length <= 320, `capped, got ${line.length} characters`);
    assert.ok(line.includes('…'), 'cut in the middle');
    assert.doesNotMatch(result.stderr, /^second line/m);
  } finally {
    await server.close();
  }
});

test('with --json the events stay exact JSON: every control character, C1 ones too, is a JSON escape and parses back to the text', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      for (const reply of gaVoiceTurn({ assistantTranscript: `Hi ${TITLE_AND_CLEAR}\u009b2J`, audioChunks: [] })) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker', '--json'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stdout, TERMINAL_CONTROL);
    const done = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; transcript?: string })
      .find((event) => event.type === 'response.output_audio_transcript.done');
    assert.equal(done?.transcript, `Hi ${TITLE_AND_CLEAR}\u009b2J`);
  } finally {
    await server.close();
  }
});

test('in the terminal UI a transcript cannot set the window title or clear the screen', async () => {
  // The local server echoes the typed text back as the assistant's reply.
  const tmux = kaiwaInTmux(`--local --no-mic --no-speaker --once --text "$(printf 'A\\033]0;TITLE\\007B\\033[2JC')"`);
  try {
    const screen = await tmux.waitFor(/\[exit \d+\]/, 20_000);
    assert.match(screen, /you: ABC/);
    assert.match(screen, /assistant: You said: ABC/);
    // A clear-screen written raw would have wiped the lines above the transcript.
    assert.match(screen, /^offline/m);
    const title = tmux.paneTitle();
    assert.notEqual(title, 'TITLE');
  } finally {
    await tmux.kill();
  }
});
