import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`: makes `dir` and its missing parents (with `mode`), and is done if it exists.
 * Returns the folders it made, top down (none when `dir` was there).
 *
 * Not `mkdirSync(dir, { recursive: true })`: Node's walks back to the parent on ENOENT and
 * forward again when the parent exists, so under a parent that exists but cannot hold
 * folders (`--record /proc/x`) it spins at 100 % CPU for ever, deaf to Ctrl-C. Here each
 * missing folder is made once, top down, and the first failure is thrown as it is.
 */
export function makeDirectory(dir: string, mode?: number): string[] {
  const missing: string[] = [];
  for (let at = resolve(dir); !statSync(at, { throwIfNoEntry: false }); at = dirname(at)) {
    missing.push(at);
    if (dirname(at) === at) break;
  }
  const made: string[] = [];
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder, { mode });
      made.push(folder);
    } catch (error) {
      // Made by someone else meanwhile, or a dangling link: the next step, or the check below, says which.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if (!statSync(dir).isDirectory()) throw new Error('it exists and is not a directory');
  return made;
}
