import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResourceStack } from '../../src/cli/resource-stack.js';
import type { Logger } from '../../src/logger.js';

function recordingLogger(lines: string[]): Logger {
  return { log: (level, message) => { lines.push(`${level}: ${message}`); } };
}

test('resources close in reverse order of opening, each once, and a failing close does not keep the rest open', async () => {
  const closed: string[] = [];
  const warnings: string[] = [];
  const stack = new ResourceStack(recordingLogger(warnings));
  stack.defer('server', 'server', (name) => closed.push(name));
  stack.defer('tools', 'tools', async () => { closed.push('tools'); throw new Error('MCP server did not stop'); });
  const audio = stack.defer('audio', { name: 'audio' }, async (a) => { await Promise.resolve(); closed.push(a.name); });
  assert.equal(audio.name, 'audio');
  await stack.closeAll();
  await stack.closeAll();
  assert.deepEqual(closed, ['audio', 'tools', 'server']);
  assert.deepEqual(warnings, ['warn: tools: MCP server did not stop']);
  assert.throws(() => stack.defer('late', 1, () => undefined), /already closed/);
});
