import { test } from 'node:test';
import { waitFor } from '../helpers/wait-for.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { hangingMcpServer } from '../helpers/hanging-mcp-server.js';

/** Running means present and not a zombie (an orphan may wait a while to be reaped). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function gone(pids: number[], deadlineMs: number): Promise<boolean> {
  return waitFor(() => !pids.some(isRunning), { what: 'the processes to end', timeoutMs: deadlineMs }).then(() => true, () => false);
}

test('an MCP server that never completes its handshake is stopped, with its whole process group, when kaiwa gives up', async () => {
  const server = hangingMcpServer();
  let pids: number[] = [];
  try {
    // Tools load before kaiwa connects, so the (unreachable) --url is never tried.
    const result = await runKaiwa(['--url', 'ws://127.0.0.1:9/v1', '--mcp', server.command, '--mcp-timeout', '1', '--text', 'hi', '--once', '--no-mic', '--no-speaker'], {
      env: { OPENAI_API_KEY: 'sk-mcp-processes-test-0000' }, timeoutMs: 30000,
    });
    assert.equal(result.code, 2, result.stderr);
    assertNoStackTrace(result.stderr);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr.trim(), /^kaiwa: --mcp "sh -c sleep 100 & echo .*": no answer within 1 s$/);
    assert.ok(server.started(), 'the server had started');
    pids = server.pids();
    assert.equal(pids.length, 2);
    assert.ok(await gone(pids, 5000), `still running after kaiwa exited: ${pids.filter(isRunning).join(', ')}`);
  } finally {
    for (const pid of pids.filter(isRunning)) process.kill(pid, 'SIGKILL');
  }
});
