import { describeFileError } from '../file-errors.js';
/**
 * `--tools FILE.json`: tools that run a program, declared as data.
 *
 *   {"tools": [{"name": "disk_free", "description": "Free disk space",
 *               "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
 *               "command": ["df", "-h", "{path}"], "timeoutMs": 5000, "needsApproval": true}]}
 *
 * `{name}` in an argv element is replaced by that argument (`{{` and `}}` are literal
 * braces). The program runs with execFile semantics, never through a shell, so an argument
 * can never become a second command. An optional argument that is missing removes the
 * elements that use it. Arguments not declared, objects, arrays and values outside a
 * declared `enum` are refused; a value starting with "-" is refused where it would begin an
 * element (it could pass as an option) unless a "--" element comes first or the tool sets
 * "allowOptionLikeValues": true. Stdout (at most `maxOutputBytes`, 16 KiB by default) is
 * the result; a non-zero exit is an error. Shell tools ask for approval unless they say
 * "needsApproval": false, since the model chooses the arguments.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, resolve, isAbsolute } from 'node:path';
import { UsageError, errorMessage } from '../errors.js';
import { TOOL_NAME_PATTERN, type JsonSchema, type ShellTool, type ToolContext } from './tool.js';
import { own } from '../own-text.js';

export const DEFAULT_SHELL_OUTPUT_BYTES = 16 * 1024;
const MAX_SHELL_OUTPUT_BYTES = 1024 * 1024;
const STDERR_KEEP_BYTES = 2048;
const KILL_GRACE_MS = 1500;
const KNOWN_KEYS = new Set(['name', 'description', 'parameters', 'command', 'timeoutMs', 'needsApproval', 'cwd', 'env', 'maxOutputBytes', 'allowOptionLikeValues']);

/** One argv element split into literal text and placeholders. */
type Piece = { text: string } | { param: string };

interface ShellSpec {
  program: string;
  template: Piece[][];
  properties: Record<string, JsonSchema>;
  required: Set<string>;
  cwd: string;
  env: Record<string, string>;
  maxOutputBytes: number;
  allowOptionLikeValues: boolean;
  /** Index of the first "--" element (values after it cannot be options). */
  endOfOptions: number;
}

export async function loadShellTools(file: string): Promise<ShellTool[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${file}: cannot read the tools file (${describeFileError(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${errorMessage(error)})`);
  }
  const list = Array.isArray(json) ? json : isRecord(json) ? json.tools : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    throw new UsageError(own`${file}: expected {"tools": [{"name", "description", "parameters", "command": [...]}, …]}`);
  }
  const base = dirname(resolve(file));
  const tools = list.map((entry, index) => shellTool(file, base, entry, index));
  const names = new Set<string>();
  for (const tool of tools) {
    if (names.has(tool.name)) throw new UsageError(`${file}: two tools are named ${tool.name}`);
    names.add(tool.name);
  }
  return tools;
}

function shellTool(file: string, base: string, entry: unknown, index: number): ShellTool {
  const label = isRecord(entry) && typeof entry.name === 'string' ? `tool ${entry.name}` : `tools[${index}]`;
  const fail = (problem: string): never => { throw new UsageError(`${file}: ${label}: ${problem}`); };
  if (!isRecord(entry)) return fail('must be an object');
  const unknown = Object.keys(entry).filter((key) => !KNOWN_KEYS.has(key));
  if (unknown.length > 0) return fail(`unknown field ${unknown.map((key) => JSON.stringify(key)).join(', ')}`);
  const { name, description = '', command, timeoutMs, needsApproval = true, cwd, env = {}, maxOutputBytes = DEFAULT_SHELL_OUTPUT_BYTES, allowOptionLikeValues = false } = entry;
  if (typeof name !== 'string' || !TOOL_NAME_PATTERN.test(name)) return fail('name must be 1-64 letters, digits, _ or -');
  if (typeof description !== 'string') return fail('description must be a string');
  if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === 'string')) {
    return fail('command must be a non-empty array of strings, e.g. ["df", "-h", "{path}"]');
  }
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) return fail('timeoutMs must be a positive number');
  if (typeof needsApproval !== 'boolean') return fail('needsApproval must be true or false');
  if (typeof allowOptionLikeValues !== 'boolean') return fail('allowOptionLikeValues must be true or false');
  if (cwd !== undefined && typeof cwd !== 'string') return fail('cwd must be a string');
  if (!isRecord(env) || !Object.values(env).every((value) => typeof value === 'string')) return fail('env must map names to strings');
  if (typeof maxOutputBytes !== 'number' || !Number.isInteger(maxOutputBytes) || maxOutputBytes < 1 || maxOutputBytes > MAX_SHELL_OUTPUT_BYTES) {
    return fail(`maxOutputBytes must be an integer from 1 to ${MAX_SHELL_OUTPUT_BYTES}`);
  }
  let template: Piece[][];
  try {
    template = (command as string[]).map(parseTemplate);
  } catch (error) {
    return fail(errorMessage(error));
  }
  if (template[0]!.some((piece) => 'param' in piece)) return fail('the program (command[0]) cannot come from an argument');
  const used = new Set(template.flat().flatMap((piece) => 'param' in piece ? [piece.param] : []));
  const parameters = entry.parameters === undefined ? derivedParameters(used) : entry.parameters;
  if (!isRecord(parameters) || parameters.type !== 'object') return fail('parameters must be a JSON schema with "type": "object"');
  const properties = parameters.properties ?? {};
  if (!isRecord(properties) || !Object.values(properties).every(isRecord)) return fail('parameters.properties must be an object of schemas');
  const requiredList = parameters.required ?? [];
  if (!Array.isArray(requiredList) || !requiredList.every((key) => typeof key === 'string')) return fail('parameters.required must be an array of names');
  for (const param of used) if (!(param in properties)) return fail(`{${param}} in command is not in parameters.properties (write {{${param}}} for literal braces)`);
  for (const param of Object.keys(properties)) if (!used.has(param)) return fail(`parameter ${param} is not used in command`);
  for (const param of requiredList as string[]) if (!(param in properties)) return fail(`required parameter ${param} is not in parameters.properties`);
  const program = (command as string[])[0]!;
  const spec: ShellSpec = {
    program: /^\.\.?[\\/]/.test(program) ? resolve(base, program) : program,
    template: template.slice(1),
    properties: properties as Record<string, JsonSchema>,
    required: new Set(requiredList as string[]),
    cwd: cwd === undefined ? process.cwd() : isAbsolute(cwd) ? cwd : resolve(base, cwd),
    env: env as Record<string, string>,
    maxOutputBytes,
    allowOptionLikeValues,
    endOfOptions: (command as string[]).slice(1).indexOf('--'),
  };
  const tool: ShellTool = {
    source: 'shell',
    file,
    name,
    description,
    parameters: parameters as JsonSchema,
    command: [...(command as string[])],
    needsApproval,
    handler: (args, ctx) => runShellTool(spec, args, ctx),
  };
  if (timeoutMs !== undefined) tool.timeoutMs = timeoutMs as number;
  return tool;
}

function derivedParameters(used: Set<string>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const param of used) properties[param] = { type: 'string' };
  return { type: 'object', properties, required: [...used] };
}

/** `"--path={path}"` → [{text:'--path='}, {param:'path'}]; `{{`/`}}` are literal braces. */
export function parseTemplate(element: string): Piece[] {
  const pieces: Piece[] = [];
  let text = '';
  let i = 0;
  while (i < element.length) {
    const rest = element.slice(i);
    if (rest.startsWith('{{') || rest.startsWith('}}')) {
      text += rest[0];
      i += 2;
      continue;
    }
    const placeholder = /^\{([A-Za-z_][A-Za-z0-9_-]*)\}/.exec(rest);
    if (placeholder) {
      if (text) pieces.push({ text });
      text = '';
      pieces.push({ param: placeholder[1]! });
      i += placeholder[0].length;
      continue;
    }
    text += rest[0];
    i += 1;
  }
  if (text || pieces.length === 0) pieces.push({ text });
  return pieces;
}

/** The argv after the program, or a one-line reason the call is refused. */
export function substituteArguments(spec: Pick<ShellSpec, 'template' | 'properties' | 'required' | 'allowOptionLikeValues' | 'endOfOptions'>, args: Record<string, unknown>): string[] {
  const extra = Object.keys(args).filter((key) => !(key in spec.properties));
  if (extra.length > 0) throw new Error(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`);
  const values = new Map<string, string | undefined>();
  for (const [param, schema] of Object.entries(spec.properties)) {
    const value = args[param];
    if (value === undefined || value === null) {
      if (spec.required.has(param)) throw new Error(`missing required argument ${param}`);
      values.set(param, undefined);
      continue;
    }
    values.set(param, argumentText(param, value, schema));
  }
  const argv: string[] = [];
  spec.template.forEach((pieces, index) => {
    let element = '';
    for (const [position, piece] of pieces.entries()) {
      if ('text' in piece) {
        element += piece.text;
        continue;
      }
      const value = values.get(piece.param);
      if (value === undefined) return; // an optional argument left out: drop the element
      const startsElement = position === 0;
      const afterEndOfOptions = spec.endOfOptions >= 0 && spec.endOfOptions < index;
      if (startsElement && value.startsWith('-') && !spec.allowOptionLikeValues && !afterEndOfOptions) {
        throw new Error(`argument ${piece.param} may not start with "-" (it would be read as an option)`);
      }
      element += value;
    }
    argv.push(element);
  });
  return argv;
}

function argumentText(param: string, value: unknown, schema: JsonSchema): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') text = String(value);
  else throw new Error(`argument ${param} must be a string, number or boolean`);
  const type = schema.type;
  if ((type === 'number' || type === 'integer') && !(type === 'integer' ? /^-?\d+$/ : /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/).test(text)) {
    throw new Error(`argument ${param} must be ${type === 'integer' ? 'an integer' : 'a number'}`);
  }
  if (type === 'boolean' && text !== 'true' && text !== 'false') throw new Error(`argument ${param} must be true or false`);
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => String(allowed) === text)) {
    throw new Error(`argument ${param} must be one of ${schema.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}`);
  }
  if (text.includes('\0')) throw new Error(`argument ${param} contains a NUL character`);
  return text;
}

async function runShellTool(spec: ShellSpec, args: Record<string, unknown>, ctx: ToolContext): Promise<string> {
  const argv = substituteArguments(spec, args);
  return runBounded(spec.program, argv, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, maxOutputBytes: spec.maxOutputBytes, signal: ctx.signal });
}

interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  maxOutputBytes: number;
  signal: AbortSignal;
}

/** Runs a program without a shell; resolves with its stdout (cut at maxOutputBytes). */
export function runBounded(program: string, argv: string[], options: RunOptions): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    if (options.signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const child = spawn(program, argv, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, shell: false });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let truncated = false;
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const onAbort = (): void => stop();
    options.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (truncated) return;
      const room = options.maxOutputBytes - stdoutBytes;
      if (chunk.length > room) {
        stdout.push(chunk.subarray(0, room));
        stdoutBytes += room;
        truncated = true;
        stop();
        return;
      }
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-STDERR_KEEP_BYTES); });
    child.on('error', (error: NodeJS.ErrnoException) => {
      options.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      reject(new Error(error.code === 'ENOENT' ? `command not found: ${program}` : `${program} could not run: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      options.signal.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      const output = Buffer.concat(stdout).toString('utf8');
      if (truncated) {
        resolvePromise(`${output}\n[output truncated at ${options.maxOutputBytes} bytes]`);
        return;
      }
      if (options.signal.aborted) {
        reject(new Error(`${program} was stopped`));
        return;
      }
      const detail = stderr.trim() ? `: ${stderr.trim().split('\n').slice(-5).join(' | ')}` : '';
      if (code !== 0) {
        reject(new Error(code === null ? `${program} was killed by ${signal}${detail}` : `${program} exited with code ${code}${detail}`));
        return;
      }
      resolvePromise(output);
    });
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
