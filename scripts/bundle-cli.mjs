#!/usr/bin/env node
/**
 * `npm run build`, after tsc: the CLI, dist/cli/program.cjs, becomes one file with the
 * chat path, its own code and the packages it needs (commander, ws, the terminal UI's)
 * inside. Its entry point, dist/cli/main.cjs, is a second, small file: it starts the
 * microphone's SoX for a voice conversation (src/cli/early-devices.ts), then compiles
 * program.cjs with V8's code cache (src/cli/program-loader.ts). Node's module loader costs about a millisecond of CPU per file here, and the chat
 * path was ~140 files: loading it took more CPU than anything else kaiwa does in its first
 * second (BENCHMARKS.md, "Start-up"). Everything tsc wrote stays as it was, so the library
 * (dist/index.js) and anything left out below load from dist as before.
 *
 * program.cjs is a CommonJS script, not an ES module, because only a script can be compiled
 * from a code cache on Node 20 (vm.Script's cachedData; Node 20 has no module compile
 * cache). It is kept to ASCII, so it is read and compiled as a one-byte string.
 *
 * Code reached by a dynamic import() stays lazy: esbuild puts it in the same file but runs
 * it only when the import happens. A package left out of the file would be loaded by the
 * file's top, at every start, so the only ones left out are those already imported
 * dynamically; kaiwa modules that import another package statically, or that find files
 * next to themselves (import.meta.url), are left out and loaded from dist where they are.
 * errors.ts, which the file needs at its top and the modules left in dist import too, is
 * built once more as dist/errors.cjs, which the file requires and tsc's dist/errors.js
 * re-exports: one KaiwaError class for both (`instanceof` holds), and no ES module loaded at
 * a start (Node's ES module loader costs ~10 ms of CPU to set up, at every start). version.js,
 * which reads package.json beside dist, is replaced by the version itself. The build fails
 * if any of this stops being true.
 */
import { build, transform } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');
const OUT = join(ROOT, 'dist', 'cli', 'program.cjs');
const ENTRY_OUT = join(ROOT, 'dist', 'cli', 'main.cjs');
/** What tsc wrote for the entry point: an unbundled ES module, slower to start; not left beside it. */
const TSC_ENTRY = join(ROOT, 'dist', 'cli', 'main.js');

/** Packages inside the file: the chat path's, and the terminal UI's (loaded in a terminal). */
const BUNDLED_PACKAGES = ['commander', 'ws', 'string-width'];
/** ws's optional native helpers: required inside a try, absent is fine. */
const OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate'];

/** Kaiwa modules loaded from dist instead, and why. */
const LEFT_IN_DIST = new Map([
  ['errors.ts', 'one KaiwaError class for the file and dist alike'],
  ['tools/mcp-tools.ts', 'imports the MCP SDK (only with --mcp)'],
  ['server/speech/webrtc-speech-detector.ts', 'imports the VAD\'s WebAssembly package (only offline)'],
]);

/**
 * Modules left in dist that the file requires at its top, by the specifier the file imports
 * them with: each is built as CommonJS beside tsc's ES module (which re-exports it).
 */
const SHARED = new Map([['../errors.js', '../errors.cjs']]);

/** The program's first line, which says which build it is (src/cli/code-cache.ts, programIdentity). */
const IDENTITY_LINE = '// kaiwa program ';
const UNHASHED = '0'.repeat(64);

/** import() in the program, as esbuild prints it, and as esbuild writes it where import() is not supported. */
const IMPORT_CALL = /(?<![\w$.])import\(/g;
const REQUIRED_FOR_IMPORT = /__toESM\d*\(require\(/g;
const IMPORT_FUNCTION = 'kaiwaImport';

/** Modules whose import.meta.url does not depend on where they are (tsx is given an absolute URL). */
const LOCATION_FREE = new Set(['tools/load-module-tools.ts']);

const isBuiltin = (path) => path.startsWith('node:') || builtinModules.includes(path.split('/')[0]);
const packageOf = (path) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');

function leftInDist(sourceFile) {
  const name = relative(SRC, sourceFile);
  if (LEFT_IN_DIST.has(name)) return true;
  if (LOCATION_FREE.has(name) || name === 'version.ts') return false;
  // Paths next to the module (a script, package.json) are right only where tsc put it.
  return readFileSync(sourceFile, 'utf8').includes('import.meta');
}

/**
 * Imports that keep the rules above: kaiwa modules left in dist (required as their CommonJS
 * build when imported at the top: SHARED; imported from dist when imported dynamically),
 * packages not bundled.
 */
const placement = {
  name: 'kaiwa-placement',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\./ }, (args) => {
      if (!args.importer.startsWith(SRC)) return undefined;
      const source = resolve(args.resolveDir, args.path).replace(/\.js$/, '.ts');
      if (!source.startsWith(SRC) || !leftInDist(source)) return undefined;
      const built = join(ROOT, 'dist', relative(SRC, source)).replace(/\.ts$/, '.js');
      const path = relative(dirname(OUT), built);
      const specifier = path.startsWith('.') ? path : `./${path}`;
      if (args.kind === 'dynamic-import') return { path: specifier, external: true };
      if (SHARED.has(specifier)) return { path: SHARED.get(specifier), external: true };
      return { errors: [{ text: `${specifier} is left in dist and imported at the top of ${relative(ROOT, args.importer)}: add it to SHARED, or import it dynamically` }] };
    });
    pluginBuild.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
      contents: `export const VERSION = ${JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version)};`,
      loader: 'ts',
    }));
    pluginBuild.onResolve({ filter: /^[^.]/ }, (args) => {
      if (isBuiltin(args.path) || BUNDLED_PACKAGES.includes(packageOf(args.path))) return undefined;
      if (!args.importer.startsWith(SRC) && !OPTIONAL_NATIVE.includes(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/** What both files are built with: for Node 20, beside a source map. */
const COMMON = { allowOverwrite: true, bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', metafile: true, logLevel: 'warning' };

await buildShared();

const result = await build({
  ...COMMON,
  entryPoints: [join(SRC, 'cli', 'program.ts')],
  outfile: OUT,
  format: 'cjs',
  // ES modules are strict; a CommonJS script is strict only if it says so first.
  banner: { js: [
    `${IDENTITY_LINE}${UNHASHED}`,
    "'use strict';",
    "const kaiwaProgramUrl = require('node:url').pathToFileURL(__filename).href;",
    `const ${IMPORT_FUNCTION} = globalThis[Symbol.for('kaiwa.import')];`,
  ].join('\n') },
  define: { 'import.meta.url': 'kaiwaProgramUrl' },
  plugins: [placement],
  write: false,
});
for (const file of result.outputFiles) writeFileSync(file.path, file.path === OUT ? identified(await importsThroughEntry(asciiOnly(file.text))) : file.contents);

/**
 * Every import() in the file calls the entry point's import instead (src/cli/program-loader.ts,
 * PROGRAM_IMPORT): compiled from a code cache, a script's own import() fails on Node 20
 * ("A dynamic import callback was not specified"). esbuild prints each as `import(`; to be
 * sure no string or comment is taken for one, the build counts the calls esbuild finds
 * (turning them into require() where import() is not supported) and fails if they differ.
 */
async function importsThroughEntry(text) {
  const written = text.match(IMPORT_CALL)?.length ?? 0;
  const { code } = await transform(text, { supported: { 'dynamic-import': false }, format: 'cjs', platform: 'node', logLevel: 'error' });
  const calls = (code.match(REQUIRED_FOR_IMPORT)?.length ?? 0) - (text.match(REQUIRED_FOR_IMPORT)?.length ?? 0);
  if (calls !== written) {
    process.stderr.write(`bundle-cli: ${OUT} has ${calls} import() calls but ${written} \`import(\` in its text: one in a string or comment would be rewritten too (scripts/bundle-cli.mjs)\n`);
    process.exit(1);
  }
  return text.replace(IMPORT_CALL, `${IMPORT_FUNCTION}(`);
}

/** The hash of the file (its first line zeros) on its first line. */
function identified(text) {
  if (!text.startsWith(`${IDENTITY_LINE}${UNHASHED}\n`)) throw new Error(`bundle-cli: ${OUT} does not start with its identity line`);
  return text.replace(UNHASHED, createHash('sha256').update(text).digest('hex'));
}

/**
 * esbuild escapes what is outside ASCII in strings and names, not in comments and regular
 * expressions: escaped there too, the file is read and compiled as a one-byte string
 * (as UTF-8 with a few other characters it cost ~25 ms more to decode).
 */
function asciiOnly(text) {
  return text.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** What the file loads at its top, i.e. at every start: builtins and the shared CommonJS modules only. */
const eager = Object.values(result.metafile.outputs).flatMap((output) => output.imports)
  .filter((imported) => imported.external && imported.kind !== 'dynamic-import' && !isBuiltin(imported.path) && ![...SHARED.values()].includes(imported.path));
const unexpected = [...new Set(eager.map((imported) => imported.path))].filter((path) => !OPTIONAL_NATIVE.includes(path));
if (unexpected.length) {
  process.stderr.write(`bundle-cli: ${OUT} would load these at every start: ${unexpected.join(', ')}\n`
    + 'import them dynamically, bundle the package, or leave the module that imports them in dist (scripts/bundle-cli.mjs)\n');
  process.exit(1);
}

/** The entry point: its own small code and builtins; program.cjs is read, not imported. */
const entry = await build({
  ...COMMON,
  entryPoints: [join(SRC, 'cli', 'main.ts')],
  outfile: ENTRY_OUT,
  // A CommonJS script: Node reaches its first line ~10 ms sooner than an ES module's.
  format: 'cjs',
  banner: { js: "'use strict';\nconst kaiwaEntryUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': 'kaiwaEntryUrl' },
});
const entryLoads = Object.values(entry.metafile.outputs).flatMap((output) => output.imports)
  .filter((imported) => imported.external && !isBuiltin(imported.path));
if (entryLoads.length) {
  process.stderr.write(`bundle-cli: ${ENTRY_OUT} would load ${entryLoads.map((imported) => imported.path).join(', ')}: the entry point is to start SoX before anything else loads\n`);
  process.exit(1);
}
for (const file of [TSC_ENTRY, `${TSC_ENTRY}.map`, TSC_ENTRY.replace(/\.js$/, '.d.ts')]) rmSync(file, { force: true });

/**
 * Each shared module built as CommonJS (dist/X.cjs) from its source, and tsc's ES module
 * (dist/X.js, what the library and the modules left in dist import) made to re-export it:
 * one copy of its classes, whichever way it is loaded. Its declarations stay as tsc wrote them.
 */
async function buildShared() {
  for (const [specifier, commonJs] of SHARED) {
    const esModule = resolve(dirname(OUT), specifier);
    const source = join(SRC, relative(join(ROOT, 'dist'), esModule)).replace(/\.js$/, '.ts');
    const outfile = resolve(dirname(OUT), commonJs);
    await build({ ...COMMON, metafile: false, entryPoints: [source], outfile, format: 'cjs' });
    const names = Object.keys(createRequire(import.meta.url)(outfile)).filter((name) => name !== '__esModule');
    writeFileSync(esModule, `import shared from './${basename(outfile)}';\nexport const { ${names.join(', ')} } = shared;\n`);
    rmSync(`${esModule}.map`, { force: true });
  }
}
