/**
 * Bundles a bench client into one plain-JavaScript file (packages left to node_modules),
 * so a process measured from its start pays for what a shipped script would, not for a
 * TypeScript loader. The files go to bench/.build/ (git-ignored), beside node_modules.
 */
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_DIR = join(BENCH, '.build');

export async function bundleClient(name: string): Promise<string> {
  mkdirSync(BUILD_DIR, { recursive: true });
  const outfile = join(BUILD_DIR, `${name}.mjs`);
  await build({
    entryPoints: [join(BENCH, 'clients', `${name}.ts`)], outfile, bundle: true, packages: 'external',
    platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
  });
  return outfile;
}
