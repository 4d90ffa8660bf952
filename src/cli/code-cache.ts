import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import zlib from 'node:zlib';
import { makeDirectory } from '../make-directory.js';

/**
 * V8's code cache for the CLI's program (src/cli/program-loader.ts), in a file of the
 * user's cache directory. V8 checks only that a cache was made by the same V8 with the
 * same flags for a source of the same length: it would run the old code of a changed
 * program of equal length, and it crashes the process on damaged data. So the file says
 * which program it was made from and the CRC-32 of its data, and anything that does not
 * match is not given to V8 at all. Every failure (no such file, unreadable, unwritable,
 * damaged) only means starting without the cache.
 *
 * Nothing here hashes the 1.1 MB program at start (with loading node:crypto that was
 * ~15 ms of a ~300 ms start): the program says what it is (ProgramIdentity).
 */

const MAGIC = 'kaiwa code cache 1\n';

/** What a cache file says about its data, on the line after MAGIC. */
interface CacheHeader {
  /** The program it was made from (programIdentity). */
  program: string;
  /** CRC-32 of the data that follows. */
  crc: number;
  node: string;
  arch: string;
  /** How far the start that made it went (a cache holds what that start compiled). */
  reach: StartReach;
  /** Made a few seconds in (saveAtExit's timer), not by a start that ended sooner. */
  settled?: boolean;
}

/**
 * How much of the program a start compiles, least first: a command (--version, --help,
 * serve…), a conversation (typed, offline, from a file), a voice conversation (devices,
 * echo guard: the start that must be quick). A cache is replaced by a start that reaches
 * further, and one that a conversation made as it ended before it was a few seconds in (it
 * holds little but the start) by one of the same reach that gets that far; made from a start
 * that began from a cache, it holds both starts' code.
 */
export const START_REACH = ['command', 'conversation', 'voice'] as const;
export type StartReach = typeof START_REACH[number];

export const reachesFurther = (start: StartReach, than: StartReach): boolean => START_REACH.indexOf(start) > START_REACH.indexOf(than);

export interface CachedCode {
  readonly data: Buffer;
  readonly reach: StartReach;
  /** Made a few seconds into its start, not by one that ended sooner (what a conversation runs after its start is in it). */
  readonly settled: boolean;
}

/** zlib.crc32 came with Node 20.15: without it a cache cannot be checked, so there is none (codeCacheFile). */
const zlibCrc32 = (zlib as { crc32?: (data: Buffer | string) => number }).crc32;
const crc32 = (data: Buffer | string): number => zlibCrc32?.(data) ?? -1;

/**
 * Which program a cache belongs to: the hash the build wrote on the program's first line
 * (scripts/bundle-cli.mjs: a new build or version is a new program even when its size and
 * time are the same, as npm sets every installed file's time alike), its size, and its
 * modification time (a program changed by hand after the build).
 */
export function programIdentity(source: Buffer, modifiedMs: number): string {
  const firstLine = source.subarray(0, Math.max(0, source.indexOf(10))).toString('latin1');
  const built = /^\/\/ kaiwa program ([0-9a-f]{16,})$/.exec(firstLine)?.[1] ?? 'unmarked';
  return `${built} ${source.length} ${modifiedMs}`;
}

/** One program's code cache file: read only if it was made from this program, by this Node. */
export class CodeCache {
  constructor(readonly file: string, private readonly program: string) {}

  read(): CachedCode | undefined {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.file);
    } catch {
      return undefined;
    }
    return this.parse(bytes);
  }

  /** Replaces the file whole (written aside, then renamed): a reader never sees half of it. */
  write(data: Buffer, reach: StartReach, settled: boolean): void {
    const header: CacheHeader = { program: this.program, crc: crc32(data), node: process.version, arch: process.arch, reach, settled };
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      // kaiwa's own folder, and the cache home above it only when that is the default one
      // (~/.cache): a $XDG_CACHE_HOME that is gone (a temporary one, removed while a kaiwa
      // started with it still ran) is not made again, and the cache is not kept.
      makeFolder(dirname(this.file), !process.env.XDG_CACHE_HOME);
      writeFileSync(temporary, Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`), data]));
      renameSync(temporary, this.file);
    } catch {
      try {
        rmSync(temporary, { force: true });
      } catch {
        // Nothing was written, or nothing can be removed: either way no cache.
      }
    }
  }

  private parse(bytes: Buffer): CachedCode | undefined {
    if (bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
    const headerEnd = bytes.indexOf(10, MAGIC.length);
    if (headerEnd < 0) return undefined;
    let header: Partial<CacheHeader>;
    try {
      header = JSON.parse(bytes.subarray(MAGIC.length, headerEnd).toString('utf8')) as Partial<CacheHeader>;
    } catch {
      return undefined;
    }
    if (header.program !== this.program || header.node !== process.version || header.arch !== process.arch) return undefined;
    const data = bytes.subarray(headerEnd + 1);
    if (header.crc !== crc32(data)) return undefined;
    const reach = START_REACH.includes(header.reach as StartReach) ? header.reach as StartReach : 'command';
    return { data, reach, settled: header.settled === true };
  }
}

function makeFolder(path: string, withParents: boolean): void {
  if (withParents) {
    makeDirectory(path);
    return;
  }
  try {
    mkdirSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Where the code cache of the program at `programPath` lives: kaiwa's folder in the user's
 * cache directory ($XDG_CACHE_HOME, else ~/Library/Caches on macOS, else ~/.cache), one
 * file per installed program (two installs, e.g. two checkouts, do not take turns
 * replacing one file). Undefined when there is no home to put it in, or no checking it.
 */
export function codeCacheFile(programPath: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!zlibCrc32) return undefined;
  let base = env.XDG_CACHE_HOME;
  if (!base) {
    let home: string;
    try {
      home = homedir();
    } catch {
      return undefined;
    }
    if (!home) return undefined;
    base = process.platform === 'darwin' ? join(home, 'Library', 'Caches') : join(home, '.cache');
  }
  return join(base, 'kaiwa', `program-${crc32(programPath).toString(16)}.v8cache`);
}
