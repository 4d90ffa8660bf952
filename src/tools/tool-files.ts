import { extname } from 'node:path';
import { loadModuleTools } from './load-module-tools.js';
import { loadShellTools } from './load-shell-tools.js';
import type { ModuleTool, ShellTool } from './tool.js';

/** `--tools FILE` (repeatable): `.json` declares shell tools, `.js`/`.mjs`/`.ts` modules export tools. */
export async function loadToolFile(file: string): Promise<Array<ModuleTool | ShellTool>> {
  return extname(file).toLowerCase() === '.json' ? loadShellTools(file) : loadModuleTools(file);
}

/** Loads every file in order; the first bad file throws its UsageError. */
export async function loadToolFiles(files: readonly string[]): Promise<Array<ModuleTool | ShellTool>> {
  const tools: Array<ModuleTool | ShellTool> = [];
  for (const file of files) tools.push(...(await loadToolFile(file)));
  return tools;
}
