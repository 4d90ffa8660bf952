/**
 * The one shape every tool takes once loaded, whatever it came from: a JS/TS module, a
 * JSON file of command templates, an MCP server or kaiwa's built-ins. The runner
 * (tool-runner.ts) only sees this; the loaders turn their own formats into it.
 */
import { UsageError } from '../errors.js';
import type { FunctionTool } from '../protocol/events.js';

export type ToolSource = 'module' | 'shell' | 'mcp' | 'builtin';

/** A JSON schema object (the `parameters` of a function tool). */
export type JsonSchema = Record<string, unknown>;

export interface ToolContext {
  /** Aborted when the call times out or the session ends: stop work and return. */
  signal: AbortSignal;
  callId: string;
}

export type ToolHandler = (args: Record<string, unknown>, ctx: ToolContext) => Promise<unknown> | unknown;

interface ToolBase {
  /** Matches `^[a-zA-Z0-9_-]{1,64}$` (the API's rule). */
  name: string;
  description: string;
  /** JSON schema of the arguments; its root is `type: "object"`. */
  parameters: JsonSchema;
  /**
   * Runs the call. A string result is sent to the model as is; anything else as JSON.
   * Throwing sends `{"error": message}`.
   */
  handler: ToolHandler;
  /** The user is asked (options.approve) before every call. */
  needsApproval?: boolean;
  /** Per-call limit; the runner's default (30 s) otherwise. */
  timeoutMs?: number;
  /**
   * Checks and converts the arguments before the handler sees them (set when a zod or
   * other Standard Schema stood in for `parameters`). Returns issues as one line.
   */
  validate?: (args: unknown) => Promise<{ value: Record<string, unknown> } | { error: string }>;
}

export interface ModuleTool extends ToolBase {
  source: 'module';
  /** The module it was exported from. */
  file: string;
}

export interface ShellTool extends ToolBase {
  source: 'shell';
  /** The JSON file that declared it. */
  file: string;
  /** The argv template, `{name}` placeholders unsubstituted. */
  command: readonly string[];
}

export interface McpTool extends ToolBase {
  source: 'mcp';
  /** The server's label (the `<server>` in `<server>__<tool>`). */
  server: string;
  /** The tool's own name on its server. */
  remoteName: string;
}

export interface BuiltinTool extends ToolBase {
  source: 'builtin';
}

export type Tool = ModuleTool | ShellTool | McpTool | BuiltinTool;

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

export const EMPTY_PARAMETERS: JsonSchema = Object.freeze({ type: 'object', properties: {} }) as JsonSchema;

/** The Realtime API's declaration of each tool, for `session.update`'s `tools`. */
export function toolsForSession(tools: readonly Tool[]): FunctionTool[] {
  return tools.map((tool) => ({ type: 'function', name: tool.name, description: tool.description, parameters: tool.parameters }));
}

/** Throws a UsageError when two tools share a name or a name breaks the API's rule. */
export function checkToolNames(tools: readonly Tool[]): void {
  const seen = new Map<string, Tool>();
  for (const tool of tools) {
    if (!TOOL_NAME_PATTERN.test(tool.name)) {
      throw new UsageError(`${describeOrigin(tool)}: tool name ${JSON.stringify(tool.name)} must be 1-64 letters, digits, _ or -`);
    }
    const earlier = seen.get(tool.name);
    if (earlier) {
      throw new UsageError(`two tools are named ${tool.name} (${describeOrigin(earlier)} and ${describeOrigin(tool)}); rename one`);
    }
    seen.set(tool.name, tool);
  }
}

/** Where a tool came from, for messages: a file, `MCP server x` or `built-in`. */
export function describeOrigin(tool: Tool): string {
  switch (tool.source) {
    case 'module':
    case 'shell':
      return tool.file;
    case 'mcp':
      return `MCP server ${tool.server}`;
    case 'builtin':
      return 'built-in';
  }
}

/**
 * A schema library's object standing in for `parameters`. Detected by shape so that zod
 * is never needed at runtime: Standard JSON Schema (`~standard.jsonSchema`, zod ≥ 4.2,
 * ArkType, Valibot's wrapper), zod 4's `.toJSONSchema()`, or an older zod 4 schema
 * (`_zod`), which is converted with zod's own `z.toJSONSchema` when zod can be imported.
 */
export interface SchemaLike {
  '~standard'?: {
    validate?: (value: unknown) => unknown;
    jsonSchema?: { input: (options: { target: string }) => Record<string, unknown> };
  };
  toJSONSchema?: (params?: unknown) => Record<string, unknown>;
  _zod?: unknown;
  _def?: unknown;
}

export function isSchemaLibraryObject(value: unknown): value is SchemaLike {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as SchemaLike;
  return (typeof candidate['~standard'] === 'object' && candidate['~standard'] !== null)
    || candidate._zod !== undefined
    || (candidate._def !== undefined && typeof (candidate as { safeParse?: unknown }).safeParse === 'function');
}

/**
 * Turns a schema library's object into a JSON schema plus a validator. Throws a plain
 * Error (the loaders put the file name in front).
 */
export async function fromSchemaLibrary(schema: SchemaLike): Promise<{ parameters: JsonSchema; validate?: ToolBase['validate'] }> {
  let json: Record<string, unknown> | undefined;
  const standard = schema['~standard'];
  if (standard?.jsonSchema && typeof standard.jsonSchema.input === 'function') {
    json = standard.jsonSchema.input({ target: 'draft-2020-12' });
  } else if (typeof schema.toJSONSchema === 'function') {
    json = schema.toJSONSchema();
  } else if (schema._zod !== undefined) {
    json = await zodToJsonSchema(schema);
  } else {
    throw new Error('parameters is a zod 3 schema; use zod 4 (or write the JSON schema)');
  }
  const { $schema: _ignored, ...parameters } = json;
  if (parameters.type !== 'object') throw new Error('parameters must describe an object (z.object({...}))');
  const validateFn = standard?.validate;
  if (typeof validateFn !== 'function') return { parameters };
  return {
    parameters,
    validate: async (args) => {
      const result = await (validateFn.call(standard, args) as Promise<StandardResult> | StandardResult);
      if (result.issues) return { error: `invalid arguments: ${formatIssues(result.issues)}` };
      return { value: result.value as Record<string, unknown> };
    },
  };
}

interface StandardResult {
  value?: unknown;
  issues?: ReadonlyArray<{ message: string; path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> }>;
}

function formatIssues(issues: NonNullable<StandardResult['issues']>): string {
  return issues.slice(0, 5).map((issue) => {
    const path = (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)).join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  }).join('; ');
}

async function zodToJsonSchema(schema: SchemaLike): Promise<Record<string, unknown>> {
  let zod: { toJSONSchema?: (schema: unknown) => Record<string, unknown> };
  try {
    zod = await import('zod' as string) as typeof zod;
  } catch {
    throw new Error('parameters is a zod schema, but zod cannot be loaded here to convert it; write the JSON schema instead');
  }
  if (typeof zod.toJSONSchema !== 'function') throw new Error('parameters is a zod schema, but the zod found has no toJSONSchema (zod 4 needed)');
  return zod.toJSONSchema(schema);
}

/** What the loaders accept for `parameters`: a JSON schema or a schema library object. */
export async function normalizeParameters(value: unknown): Promise<{ parameters: JsonSchema; validate?: ToolBase['validate'] }> {
  if (value === undefined) return { parameters: { ...EMPTY_PARAMETERS, properties: {} } };
  if (isSchemaLibraryObject(value)) return fromSchemaLibrary(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('parameters must be a JSON schema object');
  const schema = value as JsonSchema;
  if (schema.type !== 'object') throw new Error('parameters must be a JSON schema with "type": "object" at its root');
  return { parameters: schema };
}
