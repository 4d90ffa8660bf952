import { lstatSync, readlinkSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { dirname, isAbsolute, sep } from 'node:path';

/** As many links as Linux follows in one path before it says ELOOP. */
const MAX_LINKS = 40;

/**
 * Where a file opened for writing at `path` would be made, or undefined when something of the
 * user's is there already (a file, a folder, a device, a link to one of them). A link to nothing
 * is the user's, but the file it would make is not: it goes at the end of the chain of links.
 * Throws the file-system error that opening the path would meet (a parent that is no folder, a loop).
 */
export function whereNewFileGoes(path: string): string | undefined {
  let at = path;
  for (let links = 0; links <= MAX_LINKS; links += 1) {
    const found = lstatSync(at, { throwIfNoEntry: false });
    if (!found) return at;
    if (!found.isSymbolicLink()) return undefined;
    const target = readlinkSync(at);
    // Joined as the kernel reads it (relative to the link's real folder), not tidied: `a/../b` through a linked `a` is not `b`.
    at = isAbsolute(target) ? target : `${realpathSync(dirname(at))}${sep}${target}`;
  }
  throw Object.assign(new Error(`too many symbolic links at ${path}`), { code: 'ELOOP' });
}

/**
 * A file kaiwa made for an output, known by its place and identity: removed only while it is
 * still that same file (not one the user put there meanwhile), and never through a link.
 */
export class MadeOutputFile {
  /** Its identity, or undefined when it could not be read (then nothing is removed). */
  private readonly id: { dev: number; ino: number } | undefined;

  /** Call right after making the file at `path` (a place whereNewFileGoes gave). */
  constructor(readonly path: string) {
    const made = statSync(path, { throwIfNoEntry: false });
    this.id = made ? { dev: made.dev, ino: made.ino } : undefined;
  }

  remove(): void {
    try {
      const now = lstatSync(this.path, { throwIfNoEntry: false });
      if (this.id && now?.isFile() && now.dev === this.id.dev && now.ino === this.id.ino) unlinkSync(this.path);
    } catch {
      // Gone already, or out of reach now: nothing of kaiwa's is left to remove.
    }
  }
}
