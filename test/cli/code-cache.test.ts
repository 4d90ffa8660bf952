/**
 * The built CLI and its code cache, as a user runs it: the cache is written once and then
 * left alone while it fits; damaged, it is neither trusted (V8 would crash on it) nor in
 * the way; where it cannot be kept, kaiwa starts all the same; and the import() that loads
 * a tools module works from a program compiled from the cache (V8 forgets a cached
 * script's own import()).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/temp-dir.js';
import { VERSION } from '../../src/version.js';

function cacheFileIn(home: string): string {
  const dir = join(home, 'kaiwa');
  const files = readdirSync(dir).filter((name) => name.endsWith('.v8cache'));
  assert.equal(files.length, 1, `one cache file in ${dir}: ${files.join(', ')}`);
  return join(dir, files[0]!);
}

async function version(cacheHome: string): Promise<void> {
  const result = await runKaiwa(['--version'], { env: { XDG_CACHE_HOME: cacheHome } });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), VERSION);
  assert.equal(result.stderr, '');
}

test('written by the first start, then used as it is', async () => {
  const home = tempDir();
  await version(home);
  const written = readFileSync(cacheFileIn(home));
  await version(home);
  assert.deepEqual(readFileSync(cacheFileIn(home)), written);
});

test('damaged data: kaiwa starts (V8 given it would crash) and writes a good cache again', async () => {
  const home = tempDir();
  await version(home);
  const file = cacheFileIn(home);
  const damaged = readFileSync(file);
  for (let at = damaged.indexOf(10, 20) + 64; at < damaged.length; at += 256) damaged[at]! ^= 0x5a;
  writeFileSync(file, damaged);
  await version(home);
  const rewritten = readFileSync(file);
  assert.notDeepEqual(rewritten, damaged);
  await version(home);
  assert.deepEqual(readFileSync(file), rewritten, 'the new cache is used, not written again');
});

test('nowhere to keep a cache (its directory is a file): kaiwa starts, quietly', async () => {
  const home = tempDir();
  const notADirectory = join(home, 'cache');
  writeFileSync(notADirectory, '');
  await version(notADirectory);
  await version(notADirectory);
});

test('a named cache home that is gone is not made again (a lingering run of a removed temporary one)', async () => {
  const gone = join(tempDir(), 'removed');
  await version(gone);
  assert.equal(existsSync(gone), false);
});

test('a tools module imported by the program compiled from its cache, quietly', async () => {
  const dir = tempDir();
  const tools = join(dir, 'tools.mjs');
  writeFileSync(tools, 'export default [{ name: "noop", description: "nothing", parameters: { type: "object", properties: {} }, handler: () => "ok" }];\n');
  for (let run = 0; run < 2; run++) {
    const result = await runKaiwa(['--local', '--no-mic', '--no-speaker', '--tools', tools, '--text', 'hello', '--once'], { env: { XDG_CACHE_HOME: dir } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^assistant: You said: hello/m);
    assert.doesNotMatch(result.stderr, /Warning/);
  }
});
