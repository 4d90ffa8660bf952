/**
 * A Ctrl-C (or SIGTERM) before the conversation began, while kaiwa waits for something slow
 * to start: it ends at once with 130 and one line, not after --connect-timeout or --mcp-timeout,
 * and leaves nothing running.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { waitFor } from '../helpers/wait-for.js';
import { isAlive } from '../helpers/audio-fake-sox.js';
import { hangingMcpServer } from '../helpers/hanging-mcp-server.js';

const INTERRUPTED_LINE = 'kaiwa: interrupted before the conversation began';

/** A TCP server that takes connections and never answers the WebSocket upgrade. */
async function silentServer(): Promise<{ url: string; connected: () => boolean }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => { sockets.add(socket); socket.on('error', () => undefined); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const { port } = server.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}/v1`, connected: () => sockets.size > 0 };
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} while connecting to a server that never answers ends at once with 130, not after --connect-timeout`, async () => {
    const server = await silentServer();
    let signalled = false;
    const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker', '--text', 'hi', '--once', '--connect-timeout', '60000'], {
      env: { OPENAI_API_KEY: 'sk-test' }, timeoutMs: 30_000,
      onSpawn: (child) => {
        void waitFor(server.connected, { what: 'kaiwa to connect', timeoutMs: 20_000 }).then(() => {
          signalled = true;
          child.kill(signal);
        }, () => undefined);
      },
    });
    assert.ok(signalled, 'kaiwa connected');
    // Waiting out the 60 s --connect-timeout, kaiwa would be killed at runKaiwa's 30 s (no exit code).
    assert.equal(result.code, 130, result.stderr);
    assert.equal(result.stderr.trim(), INTERRUPTED_LINE);
    assertNoStackTrace(result.stderr);
  });
}

test('Ctrl-C while an MCP server is still starting stops it, with its process group, and ends at once with 130, not after --mcp-timeout', async () => {
  const server = hangingMcpServer();
  let pids: number[] = [];
  try {
    const result = await runKaiwa(['--url', 'ws://127.0.0.1:9/v1', '--mcp', server.command, '--mcp-timeout', '60', '--text', 'hi', '--once', '--no-mic', '--no-speaker'], {
      env: { OPENAI_API_KEY: 'sk-test' }, timeoutMs: 30_000,
      onSpawn: (child) => {
        void waitFor(server.started, { what: 'the MCP server to start', timeoutMs: 20_000 })
          .then(() => child.kill('SIGINT'), () => undefined);
      },
    });
    pids = server.pids();
    assert.equal(result.code, 130, result.stderr);
    assert.equal(result.stderr.trim(), INTERRUPTED_LINE);
    await waitFor(() => !pids.some(isAlive), { what: `the MCP server's processes (${pids.join(', ')}) to end`, timeoutMs: 5000 });
  } finally {
    for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
  }
});
