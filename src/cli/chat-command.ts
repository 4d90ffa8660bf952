import type { ChatOptions } from './chat-options.js';
import { buildSessionConfig, readInstructions } from './session-config.js';
import { setUpAudio } from './audio-setup.js';
import { ChatRun, type ChatIo } from './chat-run.js';
import { resolveEndpoint } from '../client/endpoint.js';
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

function requireTarget(options: ChatOptions, apiKey: string | undefined, env: NodeJS.ProcessEnv): void {
  if (apiKey || options.url || options.azureEndpoint || env.OPENAI_BASE_URL) return;
  throw new UsageError('no API key: set OPENAI_API_KEY (https://platform.openai.com/api-keys), or pass --url ws://HOST:PORT/v1 of a Realtime server such as `kaiwa serve`');
}

/** One conversation from the terminal, from connecting to the summary. Resolves the exit code. */
export async function runChat(options: ChatOptions, io: ChatIo): Promise<number> {
  const logger = new RedactingLogger((line) => io.stderr.write(line), options.debug ? 'debug' : 'info');
  const apiKey = apiKeyFor(options, io.env);
  logger.addSecret(apiKey);
  requireTarget(options, apiKey, io.env);
  const instructions = readInstructions(options);
  const endpoint = resolveEndpoint({
    model: options.model, protocol: options.protocol, apiKey, url: options.url,
    baseUrl: io.env.OPENAI_BASE_URL, azureEndpoint: options.azureEndpoint,
    azureDeployment: options.azureDeployment, apiVersion: options.apiVersion,
  });
  const format = { sampleRate: sampleRateOf(options.audioFormat) };
  const audio = await setUpAudio(options, format, logger);
  const interactive = Boolean(io.stdin.isTTY);
  if (audio.textFallback && !interactive && options.text === undefined) {
    throw new UsageError('nothing to say: no microphone (see above) and no --text or --input; run kaiwa in a terminal to type instead');
  }
  const effective = audio.textFallback && !options.output ? { ...options, modalities: 'text' as const } : options;
  if (audio.textFallback) logger.log('info', 'continuing in text mode: type a message and press Enter');
  logger.log('debug', `connecting to ${endpoint.label} (${options.protocol})`);
  const transport = await WebSocketTransport.connect(endpoint, { timeoutMs: options.connectTimeout });
  const session = new RealtimeSession(transport, dialectFor(options.protocol), { logger });
  const run = new ChatRun(effective, io, logger, session, audio, { offline: false });
  return run.start(buildSessionConfig(effective, instructions));
}
