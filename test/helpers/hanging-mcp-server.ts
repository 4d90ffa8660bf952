import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/**
 * An `--mcp` command that starts and never speaks MCP: a shell (its process group's leader)
 * that starts `sleep 100` and writes both pids to a file, so a test can see they are gone.
 */
export function hangingMcpServer(): { command: string; started: () => boolean; pids: () => number[] } {
  const pidFile = join(tempDir(), 'pids');
  return {
    command: `sh -c 'sleep 100 & echo $$ $! > ${pidFile}; wait'`,
    started: () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').includes(' '),
    pids: () => readFileSync(pidFile, 'utf8').trim().split(/\s+/).map(Number),
  };
}
