/**
 * Whether the Debian speech tools the real speech parts drive are installed.
 */
import { execFileSync } from 'node:child_process';
import { findPocketsphinx } from '../../src/server/speech/pocketsphinx-install.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

function runs(program: string, args: string[]): boolean {
  try {
    execFileSync(program, args, { stdio: 'ignore', env: espeakEnvironment() });
    return true;
  } catch {
    return false;
  }
}

/**
 * Never a skip: a test that needs a speech tool fails loudly without it (the README and
 * .ci/run install them), so a missing package can't pass as "skipped".
 */
function skipUnlessCi(_reason: string): string | false {
  return false;
}

/** For node:test's `skip` option: false when espeak-ng is there (or under CI). */
export function skipWithoutEspeak(): string | false {
  return runs('espeak-ng', ['--version']) ? false : skipUnlessCi('espeak-ng is not installed');
}

export function skipWithoutPocketsphinx(): string | false {
  const install = findPocketsphinx();
  return typeof install !== 'string' ? false : skipUnlessCi(install);
}
