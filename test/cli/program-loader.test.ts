/**
 * The CLI's program compiled from V8's code cache (src/cli/program-loader.ts): used when it
 * fits, and never trusted where V8 would not notice it does not (a changed program of the
 * same length, damaged data); a cache V8 rejects is replaced; a cache that cannot be
 * written only means no cache. Each test compiles programs of its own, so V8's in-memory
 * compilation cache never stands in for the file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runProgram, saveAtExit, type ProgramOptions, type ProgramStart } from '../../src/cli/program-loader.js';
import { CodeCache, programIdentity, type StartReach } from '../../src/cli/code-cache.js';
import { tempDir } from '../helpers/temp-dir.js';

interface ProgramRun {
  value: number;
  imported: () => Promise<{ beside: string }>;
}

const ran = (): ProgramRun => (globalThis as { kaiwaTestProgram?: ProgramRun }).kaiwaTestProgram!;

/** A program like the built one: its identity line, strict, import() through the entry point. */
function writeProgram(dir: string, value: number, build = 'a'.repeat(64)): string {
  const path = join(dir, 'program.cjs');
  writeFileSync(join(dir, 'beside.mjs'), "export const beside = 'beside';\n");
  writeFileSync(path, `// kaiwa program ${build}
'use strict';
const kaiwaImport = globalThis[Symbol.for('kaiwa.import')];
globalThis.kaiwaTestProgram = { value: ${value}, imported: () => kaiwaImport('./beside.mjs') };
`);
  return path;
}

function start(path: string, cacheFile: string | undefined, reach: StartReach = 'command'): Promise<ProgramStart> {
  const options: ProgramOptions = { cacheFile, reach };
  return runProgram(path, options);
}

/** A cache file for `path` holding `data`, well formed in every other way. */
function cacheWith(path: string, cacheFile: string, data: Buffer): void {
  const source = readFileSync(path);
  new CodeCache(cacheFile, programIdentity(source, statSync(path).mtimeMs)).write(data, 'command', true);
}

describe('runProgram', () => {
  it('runs the program with import() from its place; compiled from its cache the next time', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 1);
    const cacheFile = join(dir, 'cache', 'program.v8cache');
    const first = await start(path, cacheFile);
    assert.equal(first.cache, 'none');
    assert.equal(first.wantsSave, true);
    assert.equal(ran().value, 1);
    assert.equal((await ran().imported()).beside, 'beside');
    first.save();
    const second = await start(path, cacheFile);
    assert.equal(second.cache, 'used');
    assert.equal(second.wantsSave, false);
    assert.equal(ran().value, 1);
    assert.equal((await ran().imported()).beside, 'beside');
  });

  it('a program changed to the same length, size and time: a new build is not run from the old cache', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 1, 'a'.repeat(64));
    const cacheFile = join(dir, 'program.v8cache');
    (await start(path, cacheFile)).save();
    const { mtime } = statSync(path);
    writeProgram(dir, 2, 'b'.repeat(64));
    utimesSync(path, mtime, mtime);
    const changed = await start(path, cacheFile);
    assert.equal(changed.cache, 'none');
    // V8 itself would take the old cache (same length) and run the old program.
    assert.equal(ran().value, 2);
  });

  it('a program edited by hand after its build (same identity line and length, new time) is not run from the old cache', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 3);
    const cacheFile = join(dir, 'program.v8cache');
    (await start(path, cacheFile)).save();
    writeProgram(dir, 4);
    const later = new Date(statSync(path).mtimeMs + 5000);
    utimesSync(path, later, later);
    assert.equal((await start(path, cacheFile)).cache, 'none');
    assert.equal(ran().value, 4);
  });

  it('a cut file or another file is not given to V8 (damaged data: test/cli/code-cache.test.ts)', async () => {
    const dir = tempDir();
    const cacheFile = join(dir, 'program.v8cache');
    const path = writeProgram(dir, 5);
    (await start(path, cacheFile)).save();
    const good = readFileSync(cacheFile);
    for (const bytes of [good.subarray(0, good.length - 10), Buffer.from('not a cache\n')]) {
      writeFileSync(cacheFile, bytes);
      assert.equal((await start(path, cacheFile)).cache, 'none');
      assert.equal(ran().value, 5);
    }
  });

  it('a cache V8 rejects (made for another source) is replaced by one it takes', async () => {
    const dir = tempDir();
    const other = tempDir();
    const otherPath = writeProgram(other, 7);
    const otherCache = join(other, 'program.v8cache');
    (await start(otherPath, otherCache)).save();
    const otherData = readFileSync(otherCache).subarray(readFileSync(otherCache).indexOf(10, 20) + 1);
    const path = writeProgram(dir, 777);
    const cacheFile = join(dir, 'program.v8cache');
    cacheWith(path, cacheFile, otherData);
    const rejected = await start(path, cacheFile);
    assert.equal(rejected.cache, 'rejected');
    assert.equal(rejected.wantsSave, true);
    assert.equal(ran().value, 777);
    rejected.save();
    assert.equal((await start(path, cacheFile)).cache, 'used');
  });

  it('another Node\'s cache is not used', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 8);
    const cacheFile = join(dir, 'program.v8cache');
    (await start(path, cacheFile)).save();
    writeFileSync(cacheFile, readFileSync(cacheFile, 'latin1').replace(`"node":"${process.version}"`, '"node":"v0.0.1"'), 'latin1');
    assert.equal((await start(path, cacheFile)).cache, 'none');
  });

  it('a cache that cannot be written: the program runs and saving does nothing', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 9);
    const notADirectory = join(dir, 'file');
    writeFileSync(notADirectory, '');
    const cacheFile = join(notADirectory, 'kaiwa', 'program.v8cache');
    const started = await start(path, cacheFile);
    assert.equal(ran().value, 9);
    assert.doesNotThrow(() => started.save());
    assert.equal((await start(path, cacheFile)).cache, 'none');
  });

  it('a cache is replaced by a start that reaches further (command, conversation, voice), not by one that reaches less far', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 10);
    const cacheFile = join(dir, 'program.v8cache');
    (await start(path, cacheFile, 'command')).save();
    for (const [reach, wantsSave] of [['command', false], ['conversation', true], ['conversation', false], ['command', false], ['voice', true], ['conversation', false], ['voice', false]] as const) {
      const started = await start(path, cacheFile, reach);
      assert.equal(started.cache, 'used');
      assert.equal(started.wantsSave, wantsSave, `${reach} after the cache written so far`);
      started.save();
    }
    assert.match(readFileSync(cacheFile, 'latin1'), /"reach":"voice"/);
  });

  it('a conversation\'s cache made as it ended early is replaced by one settled a few seconds in, not by another that ends early', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 13);
    const cacheFile = join(dir, 'program.v8cache');
    (await start(path, cacheFile, 'voice')).save(false);
    assert.match(readFileSync(cacheFile, 'latin1'), /"reach":"voice","settled":false/);
    const endsEarly = await start(path, cacheFile, 'voice');
    assert.equal(endsEarly.cache, 'used');
    assert.equal(endsEarly.wantsSave, true);
    const longAgo = new Date('2001-01-01T00:00:00Z');
    utimesSync(cacheFile, longAgo, longAgo);
    endsEarly.save(false);
    assert.equal(statSync(cacheFile).mtimeMs, longAgo.getTime(), 'an early end does not write the cache again');
    (await start(path, cacheFile, 'voice')).save(true);
    assert.match(readFileSync(cacheFile, 'latin1'), /"reach":"voice","settled":true/);
    assert.equal((await start(path, cacheFile, 'voice')).wantsSave, false);
    // A command's cache is never waiting to settle: commands do not write it again.
    const commandDir = tempDir();
    const commandPath = writeProgram(commandDir, 14);
    const commandCache = join(commandDir, 'program.v8cache');
    (await start(commandPath, commandCache, 'command')).save(false);
    assert.equal((await start(commandPath, commandCache, 'command')).wantsSave, false);
  });

  it('saveAtExit: a command saves at exit; a conversation a few seconds in (settled), or at an earlier exit (not)', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const saves: string[] = [];
    const exitListeners = process.listenerCount('exit');
    saveAtExit('voice', 3000)((settled) => saves.push(`voice ${settled}`));
    saveAtExit('command', 3000)((settled) => saves.push(`command ${settled}`));
    t.mock.timers.tick(3000);
    assert.deepEqual(saves, ['voice true']);
    const added = process.listeners('exit').slice(exitListeners);
    assert.equal(added.length, 2);
    for (const listener of added) {
      process.off('exit', listener);
      (listener as () => void)();
    }
    assert.deepEqual(saves, ['voice true', 'voice false', 'command true']);
  });

  it('told when to save before the program runs (a program may exit at once)', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 11);
    const order: string[] = [];
    const options: ProgramOptions = {
      cacheFile: join(dir, 'program.v8cache'), reach: 'command',
      scheduleSave: () => order.push(`scheduled, program ran: ${(globalThis as { kaiwaTestProgram?: ProgramRun }).kaiwaTestProgram?.value === 11}`),
    };
    (globalThis as { kaiwaTestProgram?: ProgramRun }).kaiwaTestProgram = undefined;
    await runProgram(path, options);
    assert.deepEqual(order, ['scheduled, program ran: false']);
  });

  it('without a place for the cache, it runs all the same', async () => {
    const dir = tempDir();
    const path = writeProgram(dir, 12);
    const started = await start(path, undefined);
    assert.equal(started.cache, 'unavailable');
    assert.equal(ran().value, 12);
    assert.equal((await ran().imported()).beside, 'beside');
  });
});
