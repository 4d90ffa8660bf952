import { renameSync, writeFileSync } from 'node:fs';

/**
 * Replaces a file's content all at once: readers (and a crash) see the old version or the
 * new one, never half of each. rename() within a directory is atomic on POSIX.
 */
export function writeFileAtomically(path: string, content: string): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
