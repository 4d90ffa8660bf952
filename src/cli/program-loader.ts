import { isAscii } from 'node:buffer';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { CodeCache, programIdentity, reachesFurther, type StartReach } from './code-cache.js';

/**
 * Runs the CLI's program (dist/cli/program.cjs, one CommonJS script: scripts/bundle-cli.mjs)
 * compiled from V8's code cache when there is a good one. Parsing the 1.1 MB file and
 * compiling what a start runs is most of what kaiwa does between Node's start and its
 * first audio sent; Node 20 caches compiled code for no module of its own (that came with
 * Node 22), but a vm.Script takes a code cache and makes one.
 */

/**
 * What the program calls for import() (scripts/bundle-cli.mjs writes every import() so):
 * V8 loses a script's import() when the script is compiled from a code cache (its
 * host-defined options are not restored; nodejs/node#43663), so modules are imported here,
 * in an ES module, resolved as from the program's own place.
 */
export const PROGRAM_IMPORT = Symbol.for('kaiwa.import');

/** How the code cache served a start. */
export type CacheUse =
  /** compiled from it */
  | 'used'
  /** none that fits this program and this Node (missing, stale, damaged): compiled from source */
  | 'none'
  /** V8 would not take it (another V8 build or flags): compiled from source */
  | 'rejected'
  /** nowhere to keep a cache (no home), or no checking one (before Node 20.15: no zlib.crc32) */
  | 'unavailable';

export interface ProgramOptions {
  /** The code cache's file; undefined: none. */
  readonly cacheFile: string | undefined;
  /** How much of the program this start compiles: its cache replaces one that reached less far. */
  readonly reach: StartReach;
  /**
   * Told, before the program runs, when this start should write the cache (none fitted, one
   * from a start that reached less far, or one not settled), with what writes it; it decides
   * when, and says whether the start is settled by then (see `ProgramStart.save`).
   */
  readonly scheduleSave?: (save: (settled: boolean) => void) => void;
}

export interface ProgramStart {
  readonly cache: CacheUse;
  /** Whether this start should write the cache (none fitted, one from a start that reached less far, or one not settled). */
  readonly wantsSave: boolean;
  /**
   * Writes the cache of all the program compiled so far, once; never throws. `settled`
   * (by default true): the start is a few seconds in (a conversation ran more than its
   * start). A cache that is there only because it was not settled is replaced by a settled
   * one alone.
   */
  save(settled?: boolean): void;
}

/** The wrapper Node puts around a CommonJS module, on the first line so line numbers stay. */
const wrap = (source: string): string => `(function (exports, require, module, __filename, __dirname) {${source}\n})`;

export async function runProgram(path: string, options: ProgramOptions): Promise<ProgramStart> {
  const { bytes, modifiedMs } = readProgram(path);
  const source = wrap(isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8'));
  if (!options.cacheFile) {
    run(new vm.Script(source, { filename: path }), path);
    return { cache: 'unavailable', wantsSave: false, save: () => undefined };
  }
  const cache = new CodeCache(options.cacheFile, programIdentity(bytes, modifiedMs));
  const cached = cache.read();
  const script = new vm.Script(source, { filename: path, ...(cached ? { cachedData: cached.data } : {}) });
  const use: CacheUse = !cached ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  const further = use !== 'used' || reachesFurther(options.reach, cached!.reach);
  // Else every conversation from a cache that one stopped at once made would compile again
  // what runs after its first seconds.
  const unsettled = !further && options.reach !== 'command' && options.reach === cached!.reach && !cached!.settled;
  const wantsSave = further || unsettled;
  let saved = !wantsSave;
  const save = (settled = true): void => {
    if (saved || (!further && !settled)) return;
    saved = true;
    let data: Buffer;
    try {
      data = script.createCachedData();
    } catch {
      return;
    }
    cache.write(data, options.reach, settled);
  };
  // Before the program runs: it may exit before it yields (--version does).
  if (wantsSave) options.scheduleSave?.(save);
  run(script, path);
  return { cache: use, wantsSave, save };
}

/**
 * When the CLI writes the cache: at exit whatever ran, and a conversation's a few seconds
 * in as well (what its start compiled is all there, and what its first seconds ran; V8 may
 * drop code unused for long), which makes the cache settled.
 */
export function saveAtExit(reach: StartReach, afterMs = 3000): (save: (settled: boolean) => void) => void {
  return (save) => {
    process.once('exit', () => save(reach === 'command'));
    if (reach !== 'command') setTimeout(() => save(true), afterMs).unref();
  };
}

function readProgram(path: string): { bytes: Buffer; modifiedMs: number } {
  const fd = openSync(path, 'r');
  try {
    return { modifiedMs: fstatSync(fd).mtimeMs, bytes: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

type Wrapper = (exports: object, require: NodeJS.Require, module: { exports: object }, filename: string, dirname: string) => void;

function run(script: vm.Script, path: string): void {
  const global = globalThis as { [PROGRAM_IMPORT]?: (specifier: string) => Promise<unknown> };
  global[PROGRAM_IMPORT] = (specifier) => import(specifier.startsWith('.') ? pathToFileURL(resolve(dirname(path), specifier)).href : specifier);
  const module = { exports: {} };
  const wrapper = script.runInThisContext() as Wrapper;
  wrapper.call(module.exports, module.exports, createRequire(path), module, path, dirname(path));
}
