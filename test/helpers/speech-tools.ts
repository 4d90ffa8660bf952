/**
 * Whether the Debian speech tools the real speech parts drive are installed. Locally a
 * missing tool skips those tests; under CI (CI=true) it fails them, so a machine that
 * lost a package can't pass by skipping everything.
 */
import { execFileSync } from 'node:child_process';
import { findPocketsphinx } from '../../src/server/speech/pocketsphinx-install.js';

function runs(program: string, args: string[]): boolean {
  try {
    execFileSync(program, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function skipUnlessCi(reason: string): string | false {
  return process.env['CI'] ? false : reason;
}

/** For node:test's `skip` option: false when espeak-ng is there (or under CI). */
export function skipWithoutEspeak(): string | false {
  return runs('espeak-ng', ['--version']) ? false : skipUnlessCi('espeak-ng is not installed');
}

export function skipWithoutPocketsphinx(): string | false {
  const install = findPocketsphinx();
  return typeof install !== 'string' ? false : skipUnlessCi(install);
}
