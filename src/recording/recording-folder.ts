import { accessSync, constants, existsSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { describeFileError } from '../file-errors.js';
import { makeDirectory } from '../make-directory.js';
import { CONVERSATION_WAV, EVENTS_JSONL, TRANSCRIPT_MD } from './recording-files.js';

/**
 * The folder a recording goes into, made ready: made if missing (0700 — a recording holds the
 * user's voice; an existing folder keeps its mode), one kaiwa may write in, holding no
 * recording yet. A path that cannot be one is the user's to fix, said in one line (a
 * UsageError). Returns the folders it made, top down, for removeUnusedFolders.
 */
export function prepareRecordingFolder(dir: string): string[] {
  const made = makeWritableFolder(dir);
  const existing = [CONVERSATION_WAV, EVENTS_JSONL, TRANSCRIPT_MD].find((name) => existsSync(join(dir, name)));
  if (existing) throw new UsageError(`${dir} already holds a recording (${existing}); choose a new directory for --record`);
  return made;
}

/**
 * A `--record` folder made if missing (0700) and checked to be one kaiwa may write in, or a
 * UsageError saying in one line why it cannot be: for `kaiwa --record` (prepareRecordingFolder)
 * and for `kaiwa serve --record`, whose folder holds one recording per session. Returns the
 * folders it made, top down, for removeUnusedFolders.
 */
export function makeWritableFolder(dir: string): string[] {
  try {
    const made = makeDirectory(dir, 0o700);
    // Made or not, a folder the user may not write in (read-only, someone else's) fails here, not at its first file.
    accessSync(dir, constants.W_OK | constants.X_OK);
    return made;
  } catch (error) {
    throw new UsageError(`cannot record to ${dir}: ${describeFileError(error)}`);
  }
}

/**
 * Removes the folders prepareRecordingFolder made, deepest first, as long as they are empty:
 * a run that ended before its recording began (the connection failed) leaves no empty folder.
 * A folder with anything in it, the recording's files above all, stays.
 */
export function removeUnusedFolders(made: readonly string[]): void {
  for (const folder of [...made].reverse()) {
    try {
      rmdirSync(folder);
    } catch {
      return;
    }
  }
}
