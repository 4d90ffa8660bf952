import { checkToolNames, toolsForSession, type Tool } from '../tools/tool.js';
import { attachTools, type AttachedTools, type ApprovalRequest, type ToolResultInfo } from '../tools/tool-runner.js';
import type { BuiltinTools, TimerInfo } from '../tools/builtin-tools.js';
import type { McpConnection } from '../tools/mcp-tools.js';
import type { RealtimeSession } from '../client/session.js';
import type { FunctionTool } from '../protocol/events.js';
import type { Logger } from '../logger.js';
import { own } from '../own-text.js';

export interface ToolFlags {
  tools: string[];
  mcp: string[];
  mcpUrl: string[];
  /** Seconds to wait for each MCP server's handshake and tool list. */
  mcpTimeout?: number;
  builtinTools?: string;
  yes: boolean;
}

/** Loaded tools and what must be stopped at exit (MCP servers, timers). */
export interface ToolSet {
  tools: Tool[];
  declarations: FunctionTool[];
  close(): Promise<void>;
}

/** What loading the tools needs: where to log, and where a timer the model set reports. */
export interface ToolLoadHooks {
  logger: Logger;
  onTimerFired(timer: TimerInfo): void;
  /** Stops MCP servers still starting (Ctrl-C before the conversation began). */
  signal?: AbortSignal;
}

/** What running the calls needs: where to log, and who to ask. */
export interface ToolRunHooks {
  logger: Logger;
  /** Asks the person at the terminal; undefined when nobody can be asked (no TTY). */
  ask?: (question: string, signal: AbortSignal) => Promise<boolean>;
}

/**
 * Loads every tool source before connecting, so a bad file costs no session. Each kind of
 * source is loaded only when asked for: the MCP SDK alone takes longer to load than Node to start.
 */
export async function loadTools(flags: ToolFlags, hooks: ToolLoadHooks): Promise<ToolSet> {
  const fromFiles = flags.tools.length ? await (await import('../tools/tool-files.js')).loadToolFiles(flags.tools) : [];
  const builtins: BuiltinTools | undefined = flags.builtinTools
    ? (await import('../tools/builtin-tools.js')).createBuiltinTools(flags.builtinTools, { onTimerFired: (timer) => hooks.onTimerFired(timer) })
    : undefined;
  const mcp = flags.mcp.length || flags.mcpUrl.length ? await connectMcp(flags, hooks) : undefined;
  const tools: Tool[] = [...fromFiles, ...(builtins?.tools ?? []), ...(mcp?.tools ?? [])];
  checkToolNames(tools);
  return {
    tools,
    declarations: toolsForSession(tools),
    close: async () => {
      builtins?.close();
      await mcp?.close();
    },
  };
}

async function connectMcp(flags: ToolFlags, hooks: ToolLoadHooks): Promise<McpConnection> {
  const { connectMcpServers, mcpCommandSpec, mcpUrlSpec } = await import('../tools/mcp-tools.js');
  const specs = [...flags.mcp.map((line) => mcpCommandSpec(line)), ...flags.mcpUrl.map((url) => mcpUrlSpec(url))];
  return connectMcpServers(specs, {
    logger: hooks.logger,
    ...(flags.mcpTimeout !== undefined ? { connectTimeoutMs: flags.mcpTimeout * 1000 } : {}),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onServerExit: ({ label, reason }) => hooks.logger.log('warn', `MCP server ${label} stopped: ${reason}; its tools now answer with an error`),
  });
}

function describeArgs(args: unknown): string {
  const text = JSON.stringify(args);
  return text.length > 120 ? own`${text.slice(0, 117)}…` : text;
}

function describeResult(info: ToolResultInfo): string {
  const output = info.output.length > 100 ? own`${info.output.slice(0, 97)}…` : info.output;
  return own`tool ${info.name} → ${info.outcome} in ${Math.round(info.ms)} ms: ${output}`;
}

/**
 * Runs the model's calls. Tools that need approval ask the user (y/n in the terminal),
 * `--yes` approves all, and with nobody to ask they are refused and the model is told.
 */
export function runTools(session: RealtimeSession, set: ToolSet, flags: ToolFlags, hooks: ToolRunHooks): AttachedTools | undefined {
  if (set.tools.length === 0) return undefined;
  const approve = async (request: ApprovalRequest): Promise<boolean> => {
    if (flags.yes) return true;
    if (!hooks.ask) {
      hooks.logger.log('warn', `refused ${request.name}: it needs approval (run kaiwa in a terminal, or pass --yes)`);
      return false;
    }
    return hooks.ask(`run ${request.name} ${describeArgs(request.args)}? [y/n]`, request.signal);
  };
  return attachTools(session, set.tools, {
    approve,
    logger: hooks.logger,
    onCall: (info) => hooks.logger.log('info', `tool ${info.name} ${describeArgs(info.args)}${info.needsApproval && !flags.yes ? ' (asks first)' : ''}`),
    onResult: (info) => hooks.logger.log('info', describeResult(info)),
  });
}
