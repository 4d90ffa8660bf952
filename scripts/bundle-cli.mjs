#!/usr/bin/env node
/**
 * `npm run build`, after tsc: the CLI, dist/cli/program.js, becomes one file with the
 * chat path, its own code and the packages it needs (commander, ws, the terminal UI's)
 * inside. Its entry point, dist/cli/main.js, is a second, small file: it starts the
 * microphone's SoX for a voice conversation (src/cli/early-devices.ts) while program.js,
 * which it then imports, is compiled. Node's module loader costs about a millisecond of CPU per file here, and the chat
 * path was ~140 files: loading it took more CPU than anything else kaiwa does in its first
 * second (BENCHMARKS.md, "Start-up"). Everything tsc wrote stays as it was, so the library
 * (dist/index.js) and anything left out below load from dist as before.
 *
 * Code reached by a dynamic import() stays lazy: esbuild puts it in the same file but runs
 * it only when the import happens. A package left out of the file would be imported by the
 * file's top, at every start, so the only ones left out are those already imported
 * dynamically; kaiwa modules that import another package statically, or that find files
 * next to themselves (import.meta.url), are left out and loaded from dist where they are.
 * errors.js is always shared, so `instanceof KaiwaError` holds across the two. The build
 * fails if any of this stops being true.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const OUT = join(ROOT, 'dist', 'cli', 'program.js');
const ENTRY_OUT = join(ROOT, 'dist', 'cli', 'main.js');

/** Packages inside the file: the chat path's, and the terminal UI's (loaded in a terminal). */
const BUNDLED_PACKAGES = ['commander', 'ws', 'string-width', 'log-update'];
/** ws's optional native helpers: required inside a try, absent is fine. */
const OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate'];

/** Kaiwa modules loaded from dist instead, and why. */
const LEFT_IN_DIST = new Map([
  ['errors.ts', 'one KaiwaError class for the file and dist alike'],
  ['tools/mcp-tools.ts', 'imports the MCP SDK (only with --mcp)'],
  ['server/speech/webrtc-speech-detector.ts', 'imports the VAD\'s WebAssembly package (only offline)'],
]);

/** Modules whose import.meta.url does not depend on where they are (tsx is given an absolute URL). */
const LOCATION_FREE = new Set(['tools/load-module-tools.ts']);

const isBuiltin = (path) => path.startsWith('node:') || builtinModules.includes(path.split('/')[0]);
const packageOf = (path) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');

function leftInDist(sourceFile) {
  const name = relative(SRC, sourceFile);
  if (LEFT_IN_DIST.has(name)) return true;
  if (LOCATION_FREE.has(name)) return false;
  // Paths next to the module (a script, package.json) are right only where tsc put it.
  return readFileSync(sourceFile, 'utf8').includes('import.meta');
}

/** Imports that keep the rules above: kaiwa modules left in dist, packages not bundled. */
const placement = {
  name: 'kaiwa-placement',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\./ }, (args) => {
      if (!args.importer.startsWith(SRC)) return undefined;
      const source = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      if (!source.startsWith(SRC) || !leftInDist(source)) return undefined;
      const built = join(ROOT, 'dist', relative(SRC, source)).replace(/\.ts$/, '.js');
      const path = relative(dirname(OUT), built);
      return { path: path.startsWith('.') ? path : `./${path}`, external: true };
    });
    pluginBuild.onResolve({ filter: /^[^.]/ }, (args) => {
      if (isBuiltin(args.path) || BUNDLED_PACKAGES.includes(packageOf(args.path))) return undefined;
      if (!args.importer.startsWith(SRC) && !OPTIONAL_NATIVE.includes(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** What both files are built with: one ES module for Node 20, beside its source map. */
const COMMON = { allowOverwrite: true, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: 'linked', metafile: true };

const result = await build({
  ...COMMON,
  entryPoints: [join(SRC, 'cli', 'program.ts')],
  outfile: OUT,
  // commander and ws are CommonJS: inside an ES module they need a require of their own.
  banner: { js: "import { createRequire as kaiwaCreateRequire } from 'node:module';\nconst require = kaiwaCreateRequire(import.meta.url);" },
  plugins: [placement],
  logLevel: 'warning',
});

/** What the file imports at its top, i.e. at every start: builtins and the shared kaiwa modules only. */
const eager = Object.values(result.metafile.outputs).flatMap((output) => output.imports)
  .filter((imported) => imported.external && imported.kind === 'import-statement' && !isBuiltin(imported.path));
const shared = new Set(['../errors.js', '../version.js']);
const unexpected = [...new Set(eager.map((imported) => imported.path))].filter((path) => !shared.has(path));
if (unexpected.length) {
  process.stderr.write(`bundle-cli: ${OUT} would load these at every start: ${unexpected.join(', ')}\n`
    + 'import them dynamically, bundle the package, or leave the module that imports them in dist (scripts/bundle-cli.mjs)\n');
  process.exit(1);
}

/** The entry point: its own small code and builtins, then program.js (imported, not inlined). */
const entry = await build({
  ...COMMON,
  entryPoints: [join(SRC, 'cli', 'main.ts')],
  outfile: ENTRY_OUT,
  plugins: [{
    name: 'kaiwa-entry',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\/program\.js$/ }, (args) => ({ path: args.path, external: true }));
    },
  }],
  logLevel: 'warning',
});
const entryImports = Object.values(entry.metafile.outputs).flatMap((output) => output.imports)
  .filter((imported) => imported.external && !isBuiltin(imported.path) && imported.path !== './program.js');
if (entryImports.length) {
  process.stderr.write(`bundle-cli: ${ENTRY_OUT} would load ${entryImports.map((imported) => imported.path).join(', ')}: the entry point is to start SoX before anything else loads\n`);
  process.exit(1);
}
