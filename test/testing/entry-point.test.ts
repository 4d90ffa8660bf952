/** `kaiwa/testing` is its own entry point: the package's exports map serves it, the main entry does not carry it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli-runner.js';

test('kaiwa/testing resolves through the exports map to the fault injector and the local server', async () => {
  const testing = await import('kaiwa/testing' as string) as Record<string, unknown>;
  assert.equal(typeof testing.FaultInjector, 'function');
  assert.equal(typeof testing.startRealtimeServer, 'function');
  assert.equal(typeof testing.EchoEngine, 'function');
  const main = await import('kaiwa' as string) as Record<string, unknown>;
  assert.equal(main.FaultInjector, undefined, 'test support stays out of the main entry');
});

test('kaiwa/testing ships its type declarations', () => {
  const exportsMap = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { types: string }> }).exports;
  const types = join(ROOT, exportsMap['./testing']!.types);
  assert.ok(existsSync(types), `${types} is built`);
  assert.match(readFileSync(types, 'utf8'), /FaultInjector/);
});
