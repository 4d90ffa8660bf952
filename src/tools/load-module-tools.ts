import { describeFileError } from '../file-errors.js';
/**
 * `--tools FILE.js|.mjs|.ts`: a module whose exports are tools.
 *
 *   export default [{ name, description, parameters, handler }, …]   // an array (or one tool)
 *   export const get_weather = { description, parameters, handler }  // or named exports
 *
 * With a default export only it is used; otherwise every named export that looks like a
 * tool (an object with a handler) is one, named after the export unless it sets `name`.
 * `parameters` may be a JSON schema or a zod 4 schema (or any Standard JSON Schema);
 * `execute` is accepted for `handler`. `.ts` files are loaded with tsx.
 */
import { resolve, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stat } from 'node:fs/promises';
import { UsageError, errorMessage } from '../errors.js';
import { normalizeParameters, type ModuleTool, type ToolHandler, TOOL_NAME_PATTERN } from './tool.js';

const MODULE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts']);
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);
const KNOWN_KEYS = new Set(['name', 'description', 'parameters', 'handler', 'execute', 'needsApproval', 'timeoutMs']);

export async function loadModuleTools(file: string): Promise<ModuleTool[]> {
  const path = resolve(file);
  const extension = extname(path).toLowerCase();
  if (!MODULE_EXTENSIONS.has(extension)) {
    throw new UsageError(`${file}: tools modules end in .js, .mjs or .ts (a .json file declares shell tools)`);
  }
  await assertReadable(file, path);
  const exports = await importModule(file, path, TS_EXTENSIONS.has(extension));
  const candidates = toolCandidates(file, exports);
  const tools: ModuleTool[] = [];
  for (const [label, value, exportName] of candidates) tools.push(await toTool(file, label, value, exportName));
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new UsageError(`${file}: two tools are named ${tool.name}`);
    names.add(tool.name);
  }
  return tools;
}

async function assertReadable(file: string, path: string): Promise<void> {
  try {
    if (!(await stat(path)).isFile()) throw new UsageError(`${file}: not a file`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file}: cannot read the tools module (${describeFileError(error)})`);
  }
}

async function importModule(file: string, path: string, typescript: boolean): Promise<Record<string, unknown>> {
  const url = pathToFileURL(path).href;
  try {
    if (!typescript) return await import(url) as Record<string, unknown>;
    return await tsImport(file, url);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file}: the module failed to load: ${firstLine(errorMessage(error))}`);
  }
}

async function tsImport(file: string, url: string): Promise<Record<string, unknown>> {
  let api: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  try {
    api = await import('tsx/esm/api' as string) as typeof api;
  } catch {
    throw new UsageError(`${file}: loading a .ts tools module needs tsx (npm install tsx), or compile it to .js`);
  }
  return await api.tsImport(url, import.meta.url) as Record<string, unknown>;
}

type Candidate = [label: string, value: unknown, exportName: string | undefined];

function toolCandidates(file: string, exports: Record<string, unknown>): Candidate[] {
  const fallback = exports.default;
  if (fallback !== undefined) {
    // A CommonJS or tsx-compiled module may wrap its exports in another `default`.
    const value = isPlainRecord(fallback) && Array.isArray(fallback.default) ? fallback.default : fallback;
    if (Array.isArray(value)) {
      if (value.length === 0) throw new UsageError(`${file}: the default export is an empty array (no tools)`);
      // `export const get_weather = {…}; export default [get_weather]` names it after the export.
      const exportNames = new Map<unknown, string>(Object.entries(exports).filter(([key]) => key !== 'default').map(([key, tool]) => [tool, key]));
      return value.map((tool, index) => [`default export [${index}]`, tool, exportNames.get(tool)]);
    }
    if (isPlainRecord(value) && ('handler' in value || 'execute' in value)) return [['default export', value, undefined]];
    if (!isPlainRecord(value)) throw new UsageError(`${file}: the default export must be an array of tools (got ${kindOf(value)})`);
  }
  // A CommonJS module's `module.exports = { tool_a, tool_b }` arrives as the default export.
  const pool = isPlainRecord(fallback) ? { ...fallback, ...exports } : exports;
  const named = Object.entries(pool)
    .filter(([key, value]) => key !== 'default' && looksLikeTool(value))
    .map(([key, value]): Candidate => [`export ${key}`, value, key]);
  if (named.length === 0) {
    throw new UsageError(`${file}: exports no tools (export default [{ name, description, parameters, handler }] or named tool objects)`);
  }
  return named;
}

function looksLikeTool(value: unknown): boolean {
  return isPlainRecord(value) && ('handler' in value || 'execute' in value || ('parameters' in value && 'description' in value));
}

async function toTool(file: string, label: string, value: unknown, exportName: string | undefined): Promise<ModuleTool> {
  const fail = (problem: string): never => { throw new UsageError(`${file}: ${label}: ${problem}`); };
  if (!isPlainRecord(value)) return fail(`a tool must be an object (got ${kindOf(value)})`);
  const name = value.name ?? exportName;
  if (typeof name !== 'string') return fail('name must be a string');
  if (!TOOL_NAME_PATTERN.test(name)) return fail(`name ${JSON.stringify(name)} must be 1-64 letters, digits, _ or -`);
  const named = (problem: string): never => fail(`(${name}) ${problem}`);
  const handler = value.handler ?? value.execute;
  if (typeof handler !== 'function') return named('handler must be a function');
  const description = value.description ?? '';
  if (typeof description !== 'string') return named('description must be a string');
  if (value.needsApproval !== undefined && typeof value.needsApproval !== 'boolean') return named('needsApproval must be true or false');
  const timeoutMs = value.timeoutMs;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    return named('timeoutMs must be a positive number of milliseconds');
  }
  const unknown = Object.keys(value).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) return named(`unknown field ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  let schema: Awaited<ReturnType<typeof normalizeParameters>>;
  try {
    schema = await normalizeParameters(value.parameters);
  } catch (error) {
    return named(errorMessage(error));
  }
  const tool: ModuleTool = {
    source: 'module',
    file,
    name,
    description,
    parameters: schema.parameters,
    handler: handler as ToolHandler,
    needsApproval: value.needsApproval === true,
  };
  if (timeoutMs !== undefined) tool.timeoutMs = timeoutMs as number;
  if (schema.validate) tool.validate = schema.validate;
  return tool;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.slice(0, 300);
}
