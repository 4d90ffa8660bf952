import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { cleanEnv, KAIWA_BIN, ROOT } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();

/** kaiwa with stdout and stderr into one file, as `kaiwa … > log 2>&1` runs it. */
async function runIntoOneFile(args: string[], file: string): Promise<number | null> {
  const fd = openSync(file, 'w');
  try {
    const child = spawn(process.execPath, [KAIWA_BIN, ...args], { env: cleanEnv({ OPENAI_API_KEY: 'sk-test' }), cwd: ROOT, stdio: ['ignore', fd, fd] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    return await new Promise((resolve) => child.on('exit', (code) => { clearTimeout(timer); resolve(code); }));
  } finally {
    closeSync(fd);
  }
}

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
    const code = await runIntoOneFile(['--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker'], file);
    const lines = readFileSync(file, 'utf8').split('\n');
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
    const out = join(dir, 'out.log');
    const err = join(dir, 'err.log');
    const [outFd, errFd] = [openSync(out, 'w'), openSync(err, 'w')];
    const child = spawn(process.execPath, [KAIWA_BIN, '--url', server.url, '--text', 'hello', '--once', '--no-mic', '--no-speaker'], { env: cleanEnv({ OPENAI_API_KEY: 'sk-test' }), cwd: ROOT, stdio: ['ignore', outFd, errFd] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise((resolve) => child.on('exit', (exitCode) => { clearTimeout(timer); resolve(exitCode); }));
    closeSync(outFd);
    closeSync(errFd);
    assert.equal(code, 0, readFileSync(err, 'utf8'));
    assert.match(readFileSync(out, 'utf8'), /^assistant: Hello there world$/m);
    assert.match(readFileSync(err, 'utf8'), /ignored a frame that is not JSON/);
  } finally {
    await server.close();
  }
});
