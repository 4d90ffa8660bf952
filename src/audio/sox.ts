import { execFile } from 'node:child_process';
import { AudioDeviceError } from './audio-device-error.js';
import { soxBinary, spawnFailure } from './sox-process.js';

export { AudioDeviceError, SOX_MISSING_MESSAGE } from './audio-device-error.js';
export { SoxPlayer, type SoxPlayerOptions } from './sox-player.js';
export { SoxRecorder, type SoxRecorderOptions } from './sox-recorder.js';
export { killAllSoxChildren } from './sox-process.js';

const VERSION_TIMEOUT_MS = 5000;

/**
 * Confirms SoX can be run, before the session starts, so a missing SoX is reported
 * (with how to install it) instead of failing mid-conversation. Resolves with the
 * version line, e.g. "sox: SoX v14.4.2".
 */
export function checkSox(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(soxBinary(), ['--version'], { timeout: VERSION_TIMEOUT_MS }, (error, stdout) => {
      if (!error) return resolve(stdout.replace(/\s+/g, ' ').trim());
      const errno = error as NodeJS.ErrnoException;
      if (typeof errno.code === 'string') return reject(spawnFailure(errno));
      reject(new AudioDeviceError(`SoX (${soxBinary()}) does not work: \`sox --version\` failed (${error.message.split('\n')[0]})`));
    });
  });
}
