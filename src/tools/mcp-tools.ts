/**
 * MCP servers as tool sources, with the official SDK: `--mcp "COMMAND ARGS"` starts a
 * server over stdio, `--mcp-url URL` reaches one over Streamable HTTP. Each server's tools
 * are listed once at start and offered to the model as `<server>__<tool>` (the label is
 * taken from the command — the package or script for launchers such as npx, node, uvx,
 * docker — or from the URL's host). A call is routed to its server's `tools/call`; an MCP
 * error or an `isError` result becomes an ordinary tool error.
 *
 * A stdio server that exits mid-session is reported through `onServerExit`; its tools then
 * answer with an error, and the session goes on. Each stdio server runs in a process group
 * of its own; `close()` stops every group (stdin is closed, then SIGTERM, then SIGKILL), a
 * server that fails to start is stopped the same way before the error is reported, and a
 * process exit hook signals what is left if kaiwa ends without calling close().
 *
 * Stdio servers get the SDK's short list of inherited environment variables (HOME, PATH,
 * SHELL, TERM, USER, LOGNAME) plus the NAME=value words before the command, so API keys
 * in kaiwa's own environment are not handed to every server.
 */
import { basename, extname } from 'node:path';
import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { UsageError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { VERSION } from '../version.js';
import { splitCommandLine } from './command-line.js';
import { ProcessGroupStdioTransport } from './mcp-stdio-transport.js';
import type { JsonSchema, McpTool } from './tool.js';

export type McpServerSpec =
  | { type: 'stdio'; command: string; args: string[]; env?: Record<string, string>; cwd?: string; label?: string }
  | { type: 'http'; url: string; headers?: Record<string, string>; label?: string };

export interface McpServerExit {
  label: string;
  /** One line: what is known about why (the end of its stderr, or that the connection closed). */
  reason: string;
}

export interface McpOptions {
  /** A server stopped on its own mid-session (not through close()). */
  onServerExit?: (exit: McpServerExit) => void;
  /** A line a stdio server wrote to stderr (not shown anywhere unless you do). */
  onStderr?: (label: string, line: string) => void;
  /** Limit for starting, initializing and listing tools, per server (default 30 s). */
  connectTimeoutMs?: number;
  /** Stops the servers still starting at once (their process groups too), not after the timeout. */
  signal?: AbortSignal;
  /**
   * Whether calls ask the user first. Default true for every MCP tool: the server's
   * read-only hints come from the server itself.
   */
  needsApproval?: boolean | ((tool: { server: string; name: string; readOnlyHint: boolean | undefined }) => boolean);
  logger?: Logger;
}

export interface McpServerInfo {
  label: string;
  spec: McpServerSpec;
  /** The stdio server's process id (undefined for HTTP, or once it stopped). */
  readonly pid: number | undefined;
  readonly alive: boolean;
  /** Exposed names of its tools. */
  toolNames: string[];
  /** The server's own `instructions`, if it gave any (worth adding to the session's). */
  instructions: string | undefined;
}

export interface McpConnection {
  tools: McpTool[];
  servers: McpServerInfo[];
  /** Stops every server; safe to call twice. */
  close(): Promise<void>;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
/** The runner's timeout governs calls; this only keeps the SDK's own 60 s default out of the way. */
const CALL_REQUEST_TIMEOUT_MS = 24 * 3600 * 1000;
const STDERR_LINES_KEPT = 8;
const LAUNCHERS = new Set(['npx', 'pnpx', 'bunx', 'uvx', 'uv', 'pipx', 'node', 'nodejs', 'deno', 'bun', 'tsx', 'python', 'python3', 'py',
  'npm', 'pnpm', 'yarn', 'docker', 'podman', 'java', 'ruby', 'go', 'sh', 'bash', 'env', 'cmd', 'dotnet']);
const SUBCOMMANDS = new Set(['run', 'exec', 'dlx', 'x', 'tool', 'start', '-m', '-y', '--yes']);

/** `--mcp "COMMAND ARGS"` → a stdio spec. */
export function mcpCommandSpec(commandLine: string, label?: string): McpServerSpec {
  const { command, args, env } = splitCommandLine(commandLine, '--mcp');
  const spec: McpServerSpec = { type: 'stdio', command, args };
  if (Object.keys(env).length > 0) spec.env = env;
  if (label !== undefined) spec.label = label;
  return spec;
}

/** `--mcp-url URL` → a Streamable HTTP spec. */
export function mcpUrlSpec(url: string, label?: string): McpServerSpec {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--mcp-url is not a valid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--mcp-url must start with http:// or https:// (got ${parsed.protocol})`);
  const spec: McpServerSpec = { type: 'http', url: parsed.href };
  if (label !== undefined) spec.label = label;
  return spec;
}

/** The `<server>` part of `<server>__<tool>`, before sanitizing. */
export function serverLabel(spec: McpServerSpec): string {
  if (spec.label) return spec.label;
  if (spec.type === 'http') {
    const url = new URL(spec.url);
    return url.hostname.replace(/^www\./, '').replace(/^\[|\]$/g, '');
  }
  const program = basename(spec.command).replace(/\.(exe|cmd|bat)$/i, '');
  if (!LAUNCHERS.has(program.toLowerCase())) return program;
  const script = spec.args.find((arg) => /\.(m?[jt]s|c[jt]s|py)$/i.test(arg));
  const target = script ?? spec.args.find((arg) => !arg.startsWith('-') && !SUBCOMMANDS.has(arg) && !arg.includes('='));
  if (!target) return program;
  const name = target.replace(/@[^/@]*$/, '').replace(/^.*[\\/]/, ''); // package@version, scope/ and directories go
  return extname(name) ? name.slice(0, -extname(name).length) : name;
}

export function sanitizeLabel(label: string): string {
  const clean = label.replace(/[^a-zA-Z0-9-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 30).replace(/_+$/, '');
  return clean === '' ? 'mcp' : clean;
}

/** `<server>__<tool>` within the API's `^[a-zA-Z0-9_-]{1,64}$`; long names keep a hash of the original. */
export function exposedToolName(server: string, tool: string): string {
  const name = `${server}__${tool.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
  if (name.length <= 64 && name === `${server}__${tool}`) return name;
  const hash = createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, 6);
  return `${name.slice(0, 57)}_${hash}`;
}

export async function connectMcpServers(specs: readonly McpServerSpec[], options: McpOptions = {}): Promise<McpConnection> {
  const labels = uniqueLabels(specs);
  const settled = await Promise.allSettled(specs.map((spec, index) => McpServer.start(spec, labels[index]!, options)));
  const servers = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.all(servers.map((server) => server.close()));
    throw failure.reason instanceof UsageError ? failure.reason : new UsageError(errorMessage(failure.reason));
  }
  const exitHook = (): void => servers.forEach((server) => server.killNow());
  process.once('exit', exitHook);
  let closing: Promise<void> | undefined;
  return {
    tools: servers.flatMap((server) => server.tools),
    servers: servers.map((server) => server.info),
    close: () => {
      closing ??= Promise.all(servers.map((server) => server.close())).then(() => { process.off('exit', exitHook); });
      return closing;
    },
  };
}

function uniqueLabels(specs: readonly McpServerSpec[]): string[] {
  const counts = new Map<string, number>();
  return specs.map((spec) => {
    const label = sanitizeLabel(serverLabel(spec));
    const count = (counts.get(label) ?? 0) + 1;
    counts.set(label, count);
    return count === 1 ? label : `${label}_${count}`;
  });
}

class McpServer {
  readonly tools: McpTool[] = [];
  readonly info: McpServerInfo;
  private alive = true;
  private closing = false;
  private pid: number | undefined;
  private readonly stderrTail: string[] = [];

  private constructor(
    private readonly spec: McpServerSpec,
    private readonly label: string,
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly options: McpOptions,
  ) {
    const self = this;
    this.info = {
      label, spec, toolNames: [], instructions: undefined,
      get pid() { return self.alive ? self.pid : undefined; },
      get alive() { return self.alive; },
    };
  }

  static async start(spec: McpServerSpec, label: string, options: McpOptions): Promise<McpServer> {
    const client = new Client({ name: 'kaiwa', version: VERSION });
    const transport = spec.type === 'stdio'
      ? new ProcessGroupStdioTransport({ command: spec.command, args: spec.args, ...(spec.env ? { env: spec.env } : {}), ...(spec.cwd ? { cwd: spec.cwd } : {}) })
      : new StreamableHTTPClientTransport(new URL(spec.url), spec.headers ? { requestInit: { headers: spec.headers } } : {});
    const server = new McpServer(spec, label, client, transport, options);
    await server.connect();
    return server;
  }

  private get logger(): Logger {
    return this.options.logger ?? silentLogger;
  }

  private describe(): string {
    return this.spec.type === 'stdio' ? `--mcp ${JSON.stringify([this.spec.command, ...this.spec.args].join(' '))}` : `--mcp-url ${this.spec.url}`;
  }

  private async connect(): Promise<void> {
    if (this.transport instanceof ProcessGroupStdioTransport) this.watchStderr(this.transport);
    this.client.onerror = (error) => this.logger.log('debug', `MCP ${this.label}: ${error.message}`);
    const timeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const deadline = this.options.signal ? AbortSignal.any([AbortSignal.timeout(timeoutMs), this.options.signal]) : AbortSignal.timeout(timeoutMs);
    try {
      await this.client.connect(this.transport, { timeout: timeoutMs, signal: deadline });
      if (this.transport instanceof ProcessGroupStdioTransport) this.pid = this.transport.pid;
      this.client.onclose = () => this.stopped();
      if (!this.alive) throw new Error('the server exited');
      await this.listTools(timeoutMs, deadline);
    } catch (error) {
      await this.giveUp();
      throw new UsageError(`${this.describe()}: ${this.startupProblem(error, timeoutMs)}`);
    }
    this.info.instructions = this.client.getInstructions();
  }

  private startupProblem(error: unknown, timeoutMs: number): string {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && this.spec.type === 'stdio') return `command not found: ${this.spec.command}`;
    const stderr = this.stderrTail.length > 0 ? ` (stderr: ${this.stderrTail.slice(-3).join(' | ')})` : '';
    const message = errorMessage(error);
    if (/timed out|timeout|aborted/i.test(message)) return `no answer within ${timeoutMs / 1000} s${stderr}`;
    if (/connection closed/i.test(message)) return `the server exited during startup${stderr}`;
    if (/401|unauthorized/i.test(message)) return `the server wants authorization (OAuth is not supported; pass a token another way)${stderr}`;
    return `could not start: ${message.split('\n', 1)[0]}${stderr}`;
  }

  private watchStderr(transport: ProcessGroupStdioTransport): void {
    let partial = '';
    transport.stderr?.on('data', (chunk: Buffer | string) => {
      const lines = (partial + chunk.toString()).split(/\r?\n/);
      partial = lines.pop() ?? '';
      if (partial.length > 4096) partial = partial.slice(-4096);
      for (const line of lines) {
        if (line.trim() === '') continue;
        this.stderrTail.push(line.slice(0, 300));
        if (this.stderrTail.length > STDERR_LINES_KEPT) this.stderrTail.shift();
        this.options.onStderr?.(this.label, line);
      }
    });
  }

  private async listTools(timeoutMs: number, signal: AbortSignal): Promise<void> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.client.listTools(cursor ? { cursor } : {}, { timeout: timeoutMs, signal });
      for (const tool of page.tools) {
        const name = exposedToolName(this.label, tool.name);
        if (seen.has(name)) continue;
        seen.add(name);
        this.tools.push(this.exposeTool(name, tool));
      }
      cursor = page.nextCursor;
    } while (cursor);
    this.info.toolNames = this.tools.map((tool) => tool.name);
  }

  private exposeTool(name: string, tool: { name: string; title?: string; description?: string; inputSchema: Record<string, unknown>; annotations?: { readOnlyHint?: boolean; title?: string } }): McpTool {
    const { $schema: _ignored, ...schema } = tool.inputSchema;
    const policy = this.options.needsApproval ?? true;
    const needsApproval = typeof policy === 'function'
      ? policy({ server: this.label, name: tool.name, readOnlyHint: tool.annotations?.readOnlyHint })
      : policy;
    return {
      source: 'mcp',
      server: this.label,
      remoteName: tool.name,
      name,
      description: tool.description ?? tool.title ?? tool.annotations?.title ?? '',
      parameters: { ...schema, type: 'object', properties: schema.properties ?? {} } as JsonSchema,
      needsApproval,
      handler: (args, ctx) => this.call(tool.name, args, ctx.signal),
    };
  }

  private async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<string> {
    if (!this.alive) throw new Error(`the MCP server ${this.label} has stopped; its tools are unavailable`);
    let result: Awaited<ReturnType<Client['callTool']>>;
    try {
      result = await this.client.callTool({ name: tool, arguments: args }, undefined, { signal, timeout: CALL_REQUEST_TIMEOUT_MS });
    } catch (error) {
      if (!this.alive) throw new Error(`the MCP server ${this.label} stopped during the call`);
      throw new Error(errorMessage(error).replace(/^MCP error -?\d+: /, ''));
    }
    const text = resultText(result);
    if (result.isError === true) throw new Error(text.trim() === '' ? `${tool} reported an error` : text);
    return text;
  }

  private stopped(): void {
    if (!this.alive) return;
    this.alive = false;
    if (this.closing) return;
    const reason = this.stderrTail.length > 0 ? `it exited (stderr: ${this.stderrTail.slice(-3).join(' | ')})` : 'it exited or closed the connection';
    this.logger.log('warn', `MCP server ${this.label} stopped: ${reason}`);
    try {
      this.options.onServerExit?.({ label: this.label, reason });
    } catch (error) {
      this.logger.log('warn', `onServerExit failed: ${errorMessage(error)}`);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.transport instanceof StreamableHTTPClientTransport && this.alive) {
      await this.transport.terminateSession().catch(() => undefined);
    }
    this.alive = false;
    await this.client.close().catch(() => undefined);
    // Client.close() is a no-op when connect() never attached the transport.
    await this.transport.close().catch(() => undefined);
  }

  /** A server that failed to start: its whole process group is stopped before kaiwa says so. */
  private async giveUp(): Promise<void> {
    this.closing = true;
    this.alive = false;
    if (this.transport instanceof ProcessGroupStdioTransport) await this.transport.abandon();
    await this.client.close().catch(() => undefined);
    await this.transport.close().catch(() => undefined);
  }

  /** Synchronous last resort from the process exit hook. */
  killNow(): void {
    if (this.alive && this.transport instanceof ProcessGroupStdioTransport) this.transport.killNow();
  }
}

interface ContentBlock {
  type: string;
  text?: string;
  mimeType?: string;
  data?: string;
  uri?: string;
  name?: string;
  resource?: { uri?: string; text?: string; mimeType?: string; blob?: string };
}

/** An MCP tool result as text for the model. */
export function resultText(result: { content?: unknown; structuredContent?: unknown; toolResult?: unknown }): string {
  const blocks = Array.isArray(result.content) ? result.content as ContentBlock[] : [];
  const parts = blocks.map((block) => {
    switch (block.type) {
      case 'text':
        return block.text ?? '';
      case 'image':
      case 'audio':
        return `[${block.type} ${block.mimeType ?? ''}, ${Math.floor(((block.data ?? '').length * 3) / 4)} bytes, not shown]`;
      case 'resource':
        return block.resource?.text ?? `[resource ${block.resource?.uri ?? ''}${block.resource?.mimeType ? ` (${block.resource.mimeType})` : ''}]`;
      case 'resource_link':
        return `[${block.name ?? 'link'}: ${block.uri ?? ''}]`;
      default:
        return `[${block.type} content]`;
    }
  });
  if (parts.length > 0) return parts.join('\n');
  if (result.structuredContent !== undefined) return JSON.stringify(result.structuredContent);
  if (result.toolResult !== undefined) return typeof result.toolResult === 'string' ? result.toolResult : JSON.stringify(result.toolResult);
  return '';
}
