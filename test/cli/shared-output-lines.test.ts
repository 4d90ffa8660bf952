import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { runKaiwaIntoFiles } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();

test('with stdout and stderr in one file, a warning during a reply is a line of its own, and the reply goes on under "assistant: …"', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      const turn = gaVoiceTurn({ assistantTranscript: 'Hello there world', audioChunks: [] });
      const firstDelta = turn.findIndex((reply) => (reply as { type: string }).type === 'response.output_audio_transcript.delta');
      turn.slice(0, firstDelta + 1).forEach((reply) => connection.send(reply));
      connection.sendRaw('{"type": "response.output_audio.delta", broken');
      turn.slice(firstDelta + 1).forEach((reply) => connection.send(reply));
    },
  });
  try {
    const file = join(dir, 'both.log');
    const { code, stdout } = await runKaiwaIntoFiles(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker'], { stdout: file, stderr: file }, { env: { OPENAI_API_KEY: 'sk-test' } });
    const lines = stdout.split('\n');
    assert.equal(code, 0, lines.join('\n'));
    const warning = lines.findIndex((line) => line.includes('ignored a frame that is not JSON'));
    assert.ok(warning > 0, lines.join('\n'));
    assert.match(lines[warning]!, /^warn: ignored a frame that is not JSON/);
    assert.equal(lines[warning - 1]!.trimEnd(), 'assistant: Hello');
    assert.match(lines[warning + 1]!, /^assistant: …\s?there world$/);
    assert.equal(lines.filter((line) => line.startsWith('assistant:')).length, 2, 'no empty resumed line at the end');
  } finally {
    await server.close();
  }
});

test('with stdout and stderr apart, the reply stays one line on stdout', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      const turn = gaVoiceTurn({ assistantTranscript: 'Hello there world', audioChunks: [] });
      turn.slice(0, 5).forEach((reply) => connection.send(reply));
      connection.sendRaw('{"type": "response.output_audio.delta", broken');
      turn.slice(5).forEach((reply) => connection.send(reply));
    },
  });
  try {
    const files = { stdout: join(dir, 'out.log'), stderr: join(dir, 'err.log') };
    const { code, stdout, stderr } = await runKaiwaIntoFiles(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker'], files, { env: { OPENAI_API_KEY: 'sk-test' } });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^assistant: Hello there world$/m);
    assert.match(stderr, /ignored a frame that is not JSON/);
  } finally {
    await server.close();
  }
});
