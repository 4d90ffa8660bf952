import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * A temp directory removed when the test that made it ends (or, made outside a test,
 * when the file's tests end): a run leaves nothing behind in the temp folder.
 */
export function tempDir(prefix = 'kaiwa-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * One temp directory for the whole test process, made on first use and removed when the
 * process exits: for things every run shares and nobody writes, like an empty config home.
 */
export function processTempDir(prefix: string): () => string {
  let dir: string | undefined;
  return () => {
    if (dir) return dir;
    const made = mkdtempSync(join(tmpdir(), prefix));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    dir = made;
    return made;
  };
}

/** Writes `value` as JSON into a fresh temporary directory; returns the file's path. */
export function tempJson(name: string, value: unknown): string {
  const path = join(tempDir(), name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}
