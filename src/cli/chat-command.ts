import type { ChatOptions } from './chat-options.js';
import { buildSessionConfig, readInstructions } from './session-from-flags.js';
import { setUpAudio, type AudioSetup } from './audio-setup.js';
import { ChatRun, type ChatIo, type RunContext } from './chat-run.js';
import type { ConfigExtras } from './config-file.js';
import { loadTools, type ToolHooks } from './tool-setup.js';
import { resolveEndpoint, type Endpoint } from '../client/endpoint.js';
import { startEmbeddedServer, OFFLINE_NOTICE } from './local-server.js';
import { WebSocketTransport } from '../client/ws-transport.js';
import { RealtimeSession } from '../client/session.js';
import { dialectFor } from '../protocol/dialects.js';
import { sampleRateOf } from '../protocol/audio-format.js';
import { RedactingLogger } from '../logger.js';
import { UsageError } from '../errors.js';

export type { ChatIo } from './chat-run.js';

function apiKeyFor(options: ChatOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.azureEndpoint) return env.AZURE_OPENAI_API_KEY || env.OPENAI_API_KEY || undefined;
  return env.OPENAI_API_KEY || undefined;
}

/** No key and nowhere else to go: the built-in local server answers (or `--local` asks for it). */
function wantsLocalServer(options: ChatOptions, apiKey: string | undefined, env: NodeJS.ProcessEnv): boolean {
  if (options.local) return true;
  return !(apiKey || options.url || options.azureEndpoint || env.OPENAI_BASE_URL);
}

/** One conversation from the terminal, from connecting to the summary. Resolves the exit code. */
export async function runChat(options: ChatOptions, io: ChatIo, extras: ConfigExtras = {}): Promise<number> {
  const logger = new RedactingLogger((line) => io.stderr.write(line), options.debug ? 'debug' : 'info');
  const apiKey = apiKeyFor(options, io.env);
  logger.addSecret(apiKey);
  const instructions = readInstructions(options);
  const local = wantsLocalServer(options, apiKey, io.env) ? await startEmbeddedServer(logger) : undefined;
  if (local) logger.log('info', OFFLINE_NOTICE);
  const endpoint = resolveEndpoint({
    model: options.model, protocol: options.protocol, apiKey: local ? undefined : apiKey, url: local?.url ?? options.url,
    baseUrl: local ? undefined : io.env.OPENAI_BASE_URL, azureEndpoint: local ? undefined : options.azureEndpoint,
    azureDeployment: options.azureDeployment, apiVersion: options.apiVersion,
  });
  try {
    const context: RunContext = { offline: local !== undefined, secrets: apiKey ? [apiKey] : [], ...(extras.prices ? { prices: extras.prices } : {}) };
    return await converse(options, io, logger, endpoint, instructions, context);
  } finally {
    await local?.close();
  }
}

/** Tool hooks whose `ask` reaches the terminal UI once the run has one. */
function toolHooks(logger: RedactingLogger, context: RunContext): ToolHooks {
  return {
    logger,
    onTimerFired: (timer) => context.onTimerFired?.(timer),
  };
}

async function converse(
  options: ChatOptions, io: ChatIo, logger: RedactingLogger, endpoint: Endpoint,
  instructions: string | undefined, context: RunContext,
): Promise<number> {
  const format = { sampleRate: sampleRateOf(options.audioFormat) };
  const hooks = toolHooks(logger, context);
  const tools = await loadTools(options, hooks);
  context.tools = tools;
  context.toolHooks = hooks;
  try {
    return await startRun(options, io, logger, endpoint, instructions, context, format);
  } catch (error) {
    await tools.close();
    throw error;
  }
}

async function startRun(
  options: ChatOptions, io: ChatIo, logger: RedactingLogger, endpoint: Endpoint,
  instructions: string | undefined, context: RunContext, format: { sampleRate: number },
): Promise<number> {
  const audio = await setUpAudio(options, format, logger);
  try {
    return await connectAndRun(options, io, logger, endpoint, instructions, context, audio);
  } catch (error) {
    await audio.speaker?.close().catch(() => undefined);
    await audio.source?.stop().catch(() => undefined);
    if (audio.echoGuard.mode === 'aec') await audio.echoGuard.devices.unload();
    throw error;
  }
}

async function connectAndRun(
  options: ChatOptions, io: ChatIo, logger: RedactingLogger, endpoint: Endpoint,
  instructions: string | undefined, context: RunContext, audio: AudioSetup,
): Promise<number> {
  const interactive = Boolean(io.stdin.isTTY);
  if (audio.textFallback && !interactive && options.text === undefined) {
    throw new UsageError('nothing to say: no microphone (see above) and no --text or --input; run kaiwa in a terminal to type instead');
  }
  const effective = audio.textFallback && !options.output ? { ...options, modalities: 'text' as const } : options;
  if (audio.textFallback) logger.log('info', 'continuing in text mode: type a message and press Enter');
  logger.log('debug', `connecting to ${endpoint.label} (${options.protocol})`);
  const connect = (): Promise<WebSocketTransport> => WebSocketTransport.connect(endpoint, { timeoutMs: options.connectTimeout });
  const transport = await connect();
  context.connect = connect;
  const session = new RealtimeSession(transport, dialectFor(options.protocol), { logger });
  const run = new ChatRun(effective, io, logger, session, audio, context);
  const config = buildSessionConfig(effective, instructions);
  const declarations = context.tools?.declarations ?? [];
  return run.start(declarations.length ? { ...config, tools: declarations } : config);
}
