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

test('a resource still opening is closed once it opens; one that fails to open is not; closing need not wait for a slow one', async () => {
  const closed: string[] = [];
  const stack = new ResourceStack(recordingLogger([]));
  const audio = stack.deferPending('audio', Promise.resolve('audio'), (name) => closed.push(name));
  const failed = stack.deferPending('tools', Promise.reject(new Error('bad tools file')), () => closed.push('tools'));
  let open!: (name: string) => void;
  const slow = stack.deferPending('connection', new Promise<string>((resolve) => { open = resolve; }), (name) => closed.push(name), { wait: false });
  assert.equal(await audio, 'audio');
  await assert.rejects(failed, /bad tools file/);
  await stack.closeAll();
  assert.deepEqual(closed, ['audio']);
  open('connection');
  assert.equal(await slow, 'connection');
  await Promise.resolve();
  assert.deepEqual(closed, ['audio', 'connection']);
});
