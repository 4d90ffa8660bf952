import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { addServeOptions, runServe, type ServeOptions } from '../../src/cli/serve-command.js';
import type { RealtimeServer } from '../../src/server/realtime-server.js';
import { TestClient } from '../helpers/server-client.js';
import { fakeSpeech } from '../helpers/server-speech.js';
import { waitFor } from '../helpers/wait-for.js';
import { cleanEnv, KAIWA_BIN } from '../helpers/cli-runner.js';

function parse(args: string[]): ServeOptions {
  const command = addServeOptions(new Command('serve')).exitOverride();
  command.parse(args, { from: 'user' });
  return command.opts<ServeOptions>();
}

test('serve flags parse into ServeOptions with their defaults', () => {
  assert.deepEqual(parse([]), { host: '127.0.0.1', port: 8765, engine: 'echo', maxSessions: 100, sessionMinutes: 60, debug: false });
  const options = parse(['--port', '0', '--engine', 'openai-chat', '--engine-url', 'http://127.0.0.1:9/v1', '--engine-model', 'llama', '--tls']);
  assert.equal(options.port, 0);
  assert.equal(options.engineUrl, 'http://127.0.0.1:9/v1');
  assert.equal(options.tls, true);
  assert.throws(() => parse(['--engine', 'magic']));
  assert.throws(() => parse(['--port', '70000']));
});

test('runServe prints one listening line and shuts down cleanly when told to stop', async () => {
  const lines: string[] = [];
  let stop!: () => void;
  let listening!: (server: RealtimeServer) => void;
  const started = new Promise<RealtimeServer>((resolve) => { listening = resolve; });
  const exit = runServe({ host: '127.0.0.1', port: 0, engine: 'echo' }, {
    out: (line) => lines.push(line), err: (line) => lines.push(`err: ${line}`),
    stopSignal: new Promise<void>((resolve) => { stop = resolve; }), speech: fakeSpeech(), onListening: listening,
  });
  const server = await started;
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^kaiwa serve listening on ws:\/\/127\.0\.0\.1:\d+\/v1 \(engine: echo, /);
  assert.match(lines[0]!, /transcription: fixed-test-transcriber \(after each turn\)/);
  const client = await TestClient.connect(server.url);
  await client.next('session.created');
  stop();
  assert.equal(await exit, 0);
  await waitFor(() => client.closed, { what: 'the client to see the close' });
  assert.equal(client.closed?.code, 1001);
});

test('serving beyond loopback without a token, or openai-chat without a URL, refuses to start', async () => {
  const io = { out: () => undefined, err: () => undefined, stopSignal: Promise.resolve(), speech: fakeSpeech() };
  await assert.rejects(runServe({ host: '0.0.0.0', port: 0, engine: 'echo' }, io), /without --token/);
  await assert.rejects(runServe({ host: '127.0.0.1', port: 0, engine: 'openai-chat' }, io), /--engine-url/);
});

for (const signal of ['SIGTERM', 'SIGHUP'] as const) test(`the serve process exits 0 on ${signal} after closing sessions with 1001`, async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/server-serve-child.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      output += chunk;
      const match = output.match(/listening on (\S+)/);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited early (${code}): ${output}`)));
  });
  const client = await TestClient.connect(url);
  await client.next('session.created');
  child.kill(signal);
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.equal(client.closed?.code, 1001);
});

test('SIGTERM while the speech parts still load (already listening): exit 0, no listening line, the recognizers\' temp files gone', async () => {
  const port = await freePort();
  const tmp = mkdtempSync(join(tmpdir(), 'kaiwa-serve-early-stop-'));
  const child = spawn(process.execPath, [KAIWA_BIN, 'serve', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), TMPDIR: tmp } });
  try {
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    const exited = once(child, 'exit');
    await waitFor(() => canConnect(port), { what: 'kaiwa serve bound its port', timeoutMs: 15000 });
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
    if (!output.includes('listening')) assert.deepEqual(readdirSync(tmp), [], 'nothing left in its temp folder');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); });
    socket.on('error', () => resolve(false));
  });
}
