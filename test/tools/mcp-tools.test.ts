/**
 * MCP servers as tools: a real stdio MCP server (test/tools/fixtures/mcp-server.mjs, built
 * with the official SDK) reached through connectMcpServers, its tools called by the echo
 * engine of a real `kaiwa serve` through a real RealtimeSession; a Streamable HTTP server
 * in-process; a server killed mid-session; startup failures; no process left after close().
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { startTestServer } from '../helpers/server-harness.js';
import { startToolSession, toolTraffic, withoutEventIds, recordCalls } from '../helpers/tools-session.js';
import { connectMcpServers, mcpCommandSpec, mcpUrlSpec, type McpServerExit } from '../../src/tools/mcp-tools.js';
import { UsageError } from '../../src/errors.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/mcp-server.mjs', import.meta.url));
const FIXTURE_COMMAND = `${JSON.stringify(process.execPath)} ${JSON.stringify(FIXTURE)}`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function output(callId: string, text: string): Record<string, unknown> {
  return { type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output: text } };
}

test('a stdio MCP server is listed as <server>__<tool>, called by the model, and its result reaches the model', async () => {
  const mcp = await connectMcpServers([mcpCommandSpec(FIXTURE_COMMAND)]);
  after(() => mcp.close());
  assert.deepEqual(mcp.tools.map((tool) => tool.name), ['mcp-server__define', 'mcp-server__broken', 'mcp-server__pid', 'mcp-server__nap']);
  const define = mcp.tools[0]!;
  assert.deepEqual(define.parameters, { type: 'object', properties: { word: { type: 'string', description: 'The word' } }, required: ['word'] });
  assert.equal(define.description, 'Define a Japanese word');
  assert.equal(define.needsApproval, true, 'MCP tools ask first unless told otherwise');
  assert.equal(mcp.servers[0]!.instructions, 'A dictionary for tests.');
  const server = await startTestServer();
  const approvals: string[] = [];
  const { session, proxy, ask } = await startToolSession(server, mcp.tools, { approve: (request) => { approvals.push(request.name); return true; } });
  const calls = recordCalls(session);
  assert.equal(await ask('call mcp-server__define with word kaiwa'), 'The mcp-server__define tool returned: conversation (会話)');
  assert.equal(await ask('call mcp-server__broken'), 'The mcp-server__broken tool returned: {"error":"the dictionary is closed"}');
  assert.deepEqual(withoutEventIds(toolTraffic(proxy.sent)).filter((event) => event.type !== 'response.create'), [
    output(calls[0]!.callId, 'conversation (会話)'),
    output(calls[1]!.callId, '{"error":"the dictionary is closed"}'),
  ]);
  assert.deepEqual(approvals, ['mcp-server__define', 'mcp-server__broken']);
});

test('an MCP server killed mid-session is reported, its tools answer with an error, and the session goes on', async () => {
  const exits: McpServerExit[] = [];
  // Killed once it is napping: the call is in flight.
  const mcp = await connectMcpServers([mcpCommandSpec(FIXTURE_COMMAND)], {
    needsApproval: false,
    onServerExit: (exit) => exits.push(exit),
    onStderr: (_label, line) => { if (line.startsWith('napping')) process.kill(mcp.servers[0]!.pid!, 'SIGKILL'); },
  });
  after(() => mcp.close());
  const pid = mcp.servers[0]!.pid!;
  assert.ok(isRunning(pid));
  const server = await startTestServer();
  const { session, proxy, results, ask } = await startToolSession(server, mcp.tools);
  const calls = recordCalls(session);
  assert.equal(await ask('call mcp-server__pid'), `The mcp-server__pid tool returned: ${pid}`);
  assert.equal(await ask('call mcp-server__nap with ms 5000'), 'The mcp-server__nap tool returned: {"error":"the MCP server mcp-server stopped during the call"}');
  assert.deepEqual(exits.map((exit) => exit.label), ['mcp-server']);
  assert.match(exits[0]!.reason, /fixture MCP server ready/, 'the reason carries the end of its stderr');
  assert.equal(mcp.servers[0]!.alive, false);
  assert.equal(await ask('call mcp-server__define with word koe'), 'The mcp-server__define tool returned: {"error":"the MCP server mcp-server has stopped; its tools are unavailable"}');
  assert.equal(await ask('are you still there'), 'You said: are you still there');
  assert.deepEqual(results.map((result) => result.outcome), ['ok', 'error', 'error']);
  assert.equal(withoutEventIds(toolTraffic(proxy.sent)).filter((event) => event.type === 'conversation.item.create').length, calls.length);
});

test('close() stops every stdio server without leaving a process behind', async () => {
  const mcp = await connectMcpServers([mcpCommandSpec(FIXTURE_COMMAND), mcpCommandSpec(FIXTURE_COMMAND)]);
  assert.deepEqual(mcp.servers.map((server) => server.label), ['mcp-server', 'mcp-server_2']);
  assert.ok(mcp.tools.some((tool) => tool.name === 'mcp-server_2__define'));
  const pids = mcp.servers.map((server) => server.pid!);
  assert.ok(pids.every(isRunning));
  const started = Date.now();
  await mcp.close();
  assert.ok(Date.now() - started < 1900, 'the servers exited when their stdin closed, before any SIGTERM');
  assert.deepEqual(pids.map(isRunning), [false, false]);
  await mcp.close();
});

test('an MCP server that cannot start is a one-line UsageError naming the flag and the problem', async () => {
  await assert.rejects(connectMcpServers([mcpCommandSpec('kaiwa-no-such-mcp-server --flag')]), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message, '--mcp "kaiwa-no-such-mcp-server --flag": command not found: kaiwa-no-such-mcp-server');
    return true;
  });
  const crashing = `${JSON.stringify(process.execPath)} -e "console.error('bad config: no token'); process.exit(3)"`;
  await assert.rejects(connectMcpServers([mcpCommandSpec(FIXTURE_COMMAND), mcpCommandSpec(crashing)]), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /^--mcp ".*-e console\.error\('bad config: no token'\); process\.exit\(3\)": the server exited during startup \(stderr: bad config: no token\)$/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
});

test('a Streamable HTTP MCP server (--mcp-url) is listed and called, labelled by its host', async () => {
  const { createFixtureServer } = await import(new URL('./fixtures/mcp-server.mjs', import.meta.url).href) as {
    createFixtureServer: () => { connect(transport: unknown): Promise<void>; close(): Promise<void> };
  };
  const http = createServer(async (req, res) => {
    const mcpServer = createFixtureServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => { void transport.close(); void mcpServer.close(); });
    await mcpServer.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }));
  const url = `http://localhost:${(http.address() as AddressInfo).port}/mcp`;
  const mcp = await connectMcpServers([mcpUrlSpec(url)], { needsApproval: ({ name }) => name !== 'define' });
  after(() => mcp.close());
  assert.deepEqual(mcp.tools.map((tool) => [tool.name, tool.needsApproval]), [
    ['localhost__define', false], ['localhost__broken', true], ['localhost__pid', true], ['localhost__nap', true],
  ]);
  const signal = new AbortController().signal;
  assert.equal(await mcp.tools[0]!.handler({ word: 'koe' }, { signal, callId: 'c1' }), 'voice (声)');
  await assert.rejects(Promise.resolve(mcp.tools[1]!.handler({}, { signal, callId: 'c2' })), /^Error: the dictionary is closed$/);
});
