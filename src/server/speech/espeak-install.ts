/** Finds espeak-ng and the languages its installed voices cover. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { errorMessage } from '../../errors.js';
import { aptInstall } from '../../install-hint.js';

const run = promisify(execFile);

/**
 * How espeak-ng is run: it only ever writes WAV (stdout or a file), but its audio library
 * connects to PulseAudio as it starts, and with no server running it leaves a runtime
 * folder behind in /tmp (/tmp/pulse-*) on every machine kaiwa serve or the tests run on.
 * A server address that does not exist keeps it from looking for one.
 */
export function espeakEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, PULSE_SERVER: 'unix:/nonexistent/kaiwa-espeak-writes-files-only' };
}

export interface EspeakInstall {
  binary: string;
  /** Lower-case language codes from `espeak-ng --voices` (en-us, ja, fr-fr, …). */
  languages: ReadonlySet<string>;
}

/** Resolves the install, or a one-line reason why there is none. */
export async function findEspeak(binary = 'espeak-ng'): Promise<EspeakInstall | string> {
  try {
    const { stdout } = await run(binary, ['--voices'], { maxBuffer: 4 * 1024 * 1024, env: espeakEnvironment() });
    const languages = parseVoiceList(stdout);
    if (languages.size === 0) return `${binary} lists no voices (is espeak-ng-data installed?)`;
    return { binary, languages };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `${binary} is not installed (Debian/Ubuntu: ${aptInstall('espeak-ng')})`;
    return `${binary} does not work: ${errorMessage(error)}`;
  }
}

/** Lines look like ` 5  ja  --/M  Japanese  jpx/ja  (other languages)`; column two is the code. */
export function parseVoiceList(listing: string): Set<string> {
  const languages = new Set<string>();
  for (const line of listing.split('\n').slice(1)) {
    const code = line.trim().split(/\s+/)[1];
    if (code) languages.add(code.toLowerCase());
  }
  return languages;
}
