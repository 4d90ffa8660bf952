/**
 * The tools layer: load tools (modules, JSON shell tools, built-ins, MCP servers), declare
 * them to the session (`toolsForSession`) and run the model's calls (`attachTools`).
 */
export * from './tool.js';
export { loadToolFile, loadToolFiles } from './tool-files.js';
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
