/**
 * The tools layer: load tools (modules, JSON shell tools, built-ins, MCP servers), declare
 * them to the session (`toolsForSession`) and run the model's calls (`attachTools`).
 */
import { extname } from 'node:path';
import { loadModuleTools } from './load-module-tools.js';
import { loadShellTools } from './load-shell-tools.js';
import type { ModuleTool, ShellTool } from './tool.js';

export * from './tool.js';
export { loadModuleTools } from './load-module-tools.js';
export { loadShellTools, DEFAULT_SHELL_OUTPUT_BYTES } from './load-shell-tools.js';
export {
  createBuiltinTools, parseBuiltinNames, describeTime, BUILTIN_TOOL_NAMES,
  type BuiltinToolName, type BuiltinToolOptions, type BuiltinTools, type TimerInfo,
} from './builtin-tools.js';
export { evaluateExpression, CalculatorError } from './calculator.js';
export { splitCommandLine, type SplitCommand } from './command-line.js';
export {
  connectMcpServers, mcpCommandSpec, mcpUrlSpec, serverLabel, exposedToolName,
  type McpServerSpec, type McpOptions, type McpConnection, type McpServerInfo, type McpServerExit,
} from './mcp-tools.js';
export {
  attachTools, outputText, errorOutput, DEFAULT_TOOL_TIMEOUT_MS, DEFAULT_MAX_OUTPUT_CHARS,
  type ToolRunnerOptions, type AttachedTools, type ToolCallInfo, type ToolResultInfo, type ApprovalRequest, type ToolOutcome,
} from './tool-runner.js';

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
