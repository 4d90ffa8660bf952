import { tempDir } from './temp-dir.js';

/** A temp directory removed when the test (or the file's tests) that made it ends. */
export function audioTempDir(prefix = 'kaiwa-audio-'): string {
  return tempDir(prefix);
}
