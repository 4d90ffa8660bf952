import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

/**
 * Runs `node ARGS` as this same user, but unable to override file permissions, so that
 * reading a mode-000 file meets a real EACCES. Root reads anything: for root, setpriv
 * drops the two capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH). Not
 * switching to another user keeps the child able to read this checkout and its
 * node_modules (tsx) wherever it sits, a 0700 directory included. `timeoutMs`: the child is
 * killed after this long (a run that should have been refused and went on instead).
 */
export function runNodeWithoutFilePrivileges(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  const isRoot = process.getuid?.() === 0;
  const drop = '-dac_override,-dac_read_search';
  const [command, prefix] = isRoot ? ['setpriv', [`--bounding-set=${drop}`, `--inh-caps=${drop}`, '--', process.execPath]] : [process.execPath, []];
  return spawnSync(command as string, [...(prefix as string[]), ...args], { encoding: 'utf8', cwd: options.cwd ?? process.cwd(), ...(options.env ? { env: options.env } : {}), ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) });
}
