/** Environment for a child `node` that runs as if these packages were not installed (see hide-packages.mjs). */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ROOT } from './cli-runner.js';

const HOOK = pathToFileURL(join(ROOT, 'test', 'helpers', 'hide-packages.mjs')).href;

export function withoutPackages(...names: string[]): Record<string, string> {
  return { NODE_OPTIONS: `--import ${HOOK}`, KAIWA_HIDE_PACKAGES: names.join(',') };
}
