/**
 * The process's choice of charset for kaiwa's own text (src/own-text.ts) is made by
 * program.ts, in its body: the modules it imports are evaluated before that. A template
 * tagged `own` (or AS_CHOSEN applied) at a module's top level, even through a function it
 * calls there, would be put into a charset before any was chosen, and keep UTF-8 symbols
 * in a C locale. So none may be: this test chooses a charset that only records what it is
 * asked to put, then imports every module of src/ (one at a time, to name the one at fault)
 * and expects it to have been asked nothing.
 *
 * Not imported: the two modules whose top level runs the CLI (main.ts, and program.ts,
 * which makes the choice first thing and parses the command line).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AS_WRITTEN, useOwnText } from '../src/own-text.js';
import { ROOT } from './helpers/cli-runner.js';

const SRC = join(ROOT, 'src');
const RUNS_THE_CLI = new Set(['cli/main.ts', 'cli/program.ts']);

function modulesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return modulesOf(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  }).sort();
}

/** The first place in src/ outside own-text.ts in a stack: where a text was composed. */
function composedWhere(stack: string): string {
  return stack.split('\n').find((line) => line.includes(SRC) && !line.includes('own-text.ts'))?.trim() ?? 'somewhere outside src/';
}

test('no module composes kaiwa\'s own text at its top level, before the CLI chooses its charset', async () => {
  const composed: string[] = [];
  useOwnText((text) => {
    composed.push(`${text} (${composedWhere(new Error().stack ?? '')})`);
    return text;
  });
  try {
    const modules = modulesOf(SRC).filter((path) => !RUNS_THE_CLI.has(relative(SRC, path)));
    assert.ok(modules.length > 100, `found only ${modules.length} modules under ${SRC}`);
    for (const path of modules) {
      await import(pathToFileURL(path).href);
      assert.deepEqual(composed, [], `importing src/${relative(SRC, path)} composed kaiwa's own text before the choice (a template tagged own at a module's top, or a function called there that composes one)`);
    }
  } finally {
    useOwnText(AS_WRITTEN);
  }
});
