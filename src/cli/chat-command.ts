import { EventEmitter } from 'node:events';
import type { ChatOptions } from './chat-options.js';
import { buildSessionConfig, readInstructions } from './session-from-flags.js';
import { checkSessionFlags } from './session-flag-checks.js';
import { listensForVoice, setUpAudio, type AudioSetup } from './audio-setup.js';
import { ChatRun, wantsTerminalUi, type ChatIo, type RunSettings } from './chat-run.js';
import type { ConfigExtras } from './config-file.js';
import { loadTools } from './tool-setup.js';
import { resolveEndpoint } from '../client/endpoint.js';
import { connectWithRetries, retryNotice } from '../client/first-connect.js';
import { startEmbeddedServer, offlineNotice } from './local-server.js';
import { trustedCertificates } from './server-trust.js';
import { WebSocketTransport } from '../client/ws-transport.js';
import { proxyRouteFor } from '../client/proxy.js';
import { RealtimeSession } from '../client/session.js';
import { dialectFor } from '../protocol/dialects.js';
import { sessionDialectOf } from '../protocol/protocols.js';
import { LiveTransport } from '../protocol/live/live-transport.js';
import type { ListeningTransport } from '../protocol/transport.js';
import { sampleRateOf } from '../protocol/audio-format.js';
import type { TimerInfo } from '../tools/index.js';
import type { SessionConfig } from '../protocol/events.js';
import { HeldLogger } from '../held-logger.js';
import { RedactingLogger } from '../logger.js';
import { KaiwaError } from '../errors.js';
import { ResourceStack } from './resource-stack.js';
import { prepareRecordingFolder, removeUnusedFolders } from '../recording/recording-folder.js';
import { OutputWavFile } from './output-wav-file.js';

export type { ChatIo } from './chat-run.js';

/** Exit code of a run stopped by Ctrl-C before the conversation began. */
const INTERRUPTED = 130;

function apiKeyFor(options: ChatOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.azureEndpoint) return env.AZURE_OPENAI_API_KEY || env.OPENAI_API_KEY || undefined;
  return env.OPENAI_API_KEY || undefined;
}

/** No key and nowhere else to go: the built-in local server answers (or `--local` asks for it). */
function wantsLocalServer(options: ChatOptions, apiKey: string | undefined, env: NodeJS.ProcessEnv): boolean {
  if (options.local) return true;
  return !(apiKey || options.url || options.azureEndpoint || env.OPENAI_BASE_URL);
}

/**
 * One conversation from the terminal, from connecting to the summary. Resolves the exit
 * code. Everything opened on the way goes on one stack, closed in reverse order whether
 * the run ends normally or a step fails; the summary comes after it all is closed.
 */
export async function runChat(options: ChatOptions, io: ChatIo, extras: ConfigExtras = {}): Promise<number> {
  const logger = new RedactingLogger((line) => io.stderr.write(line), options.debug ? 'debug' : 'info');
  const resources = new ResourceStack(logger);
  let run: ChatRun | undefined;
  try {
    const opened = await openRun(options, io, extras, logger, resources);
    run = opened.run;
    return await run.start(opened.sessionConfig);
  } finally {
    await resources.closeAll();
    for (const line of run?.unsentLines() ?? []) logger.log('warn', line);
    for (const line of run?.summary() ?? []) logger.log('info', line);
  }
}

async function openRun(
  options: ChatOptions, io: ChatIo, extras: ConfigExtras, logger: RedactingLogger, resources: ResourceStack,
): Promise<{ run: ChatRun; sessionConfig: SessionConfig }> {
  const stillWanted = (): void => { if (io.stop?.aborted) throw new KaiwaError('interrupted before the conversation began', INTERRUPTED); };
  const apiKey = apiKeyFor(options, io.env);
  logger.addSecret(apiKey);
  checkSessionFlags(options);
  const instructions = readInstructions(options);
  // The recording's folder is made ready before anything connects: one that cannot be is a bad flag (exit 2);
  // made for a run that then never began (the connection failed), it is not left behind empty.
  if (options.record) resources.defer('recording folder', prepareRecordingFolder(options.record), removeUnusedFolders);
  // The devices, the local server, the tools and the connection are set up side by side (the
  // microphone records meanwhile; its audio waits for the session); each is then awaited in
  // the order they used to run in, so the first failure reported is the same as it was.
  const format = { sampleRate: sampleRateOf(options.audioFormat) };
  // --output too, before connecting (one that cannot be written is a bad flag); written once the session begins,
  // and if it never does, the file kaiwa made is removed and a file that was there is left as it was.
  const outputFile = options.output ? resources.defer('--output file', new OutputWavFile(options.output, format), (file) => file.closeOrRemove()) : undefined;
  // What the devices say waits until the run gets as far as them: a run refused before (a bad --url,
  // a missing tools file) is one line; a device that fails outright, or a connection, is said with it.
  const deviceLog = new HeldLogger(logger);
  const audioReady = resources.deferPending('audio devices', setUpAudio(options, format, deviceLog, io.stdin, outputFile ? [outputFile] : []), closeAudio);
  const local = wantsLocalServer(options, apiKey, io.env)
    ? resources.defer('local server', await startEmbeddedServer(logger, { listening: options.input !== undefined || listensForVoice(options) }), (server) => server.close())
    : undefined;
  if (local) logger.log('info', offlineNotice(options.local ? 'local' : 'no-key'));
  const endpoint = resolveEndpoint({
    model: options.model, protocol: options.protocol, apiKey: local ? undefined : apiKey, url: local?.url ?? options.url,
    baseUrl: local ? undefined : io.env.OPENAI_BASE_URL, azureEndpoint: local ? undefined : options.azureEndpoint,
    azureDeployment: options.azureDeployment, apiVersion: options.apiVersion,
  });
  logger.log('debug', `connecting to ${endpoint.label} (${options.protocol})`);
  const ca = trustedCertificates(endpoint.url, options.ca);
  const proxy = await proxyRouteFor(endpoint.url, io.env);
  if (proxy) logger.log('debug', `connecting through the proxy ${proxy.label}`);
  const connect = (): Promise<ListeningTransport> => WebSocketTransport.connect(endpoint, {
    timeoutMs: options.connectTimeout, ...(ca ? { ca } : {}), ...(proxy ? { proxy } : {}), ...(io.stop ? { signal: io.stop } : {}),
  });
  let sessionOwnsSocket = false;
  const firstConnection = connectWithRetries(connect, {
    ...(io.stop ? { signal: io.stop } : {}),
    onRetry: (error, delayMs, attempt) => logger.log('warn', retryNotice(error, delayMs, attempt)),
  });
  const connecting = resources.deferPending('connection attempt', firstConnection, (socket) => (sessionOwnsSocket ? undefined : socket.close()), { wait: false });
  // Loaded while the connection is made (it takes 30-40 ms), not after it, before the first append.
  const terminalUi = wantsTerminalUi(io, options) ? import('./tui/terminal-ui.js') : undefined;
  const timers = new EventEmitter<{ fired: [TimerInfo] }>();
  // A Ctrl-C while they start (MCP servers may take --mcp-timeout) or while connecting stops them at once, and says so.
  const loadingTools = loadTools(options, { logger, onTimerFired: (timer) => timers.emit('fired', timer), ...(io.stop ? { signal: io.stop } : {}) });
  const tools = resources.defer('tools', await loadingTools.catch((error: unknown) => { stillWanted(); throw error; }), (set) => set.close());
  stillWanted();
  const audio = await audioReady.finally(() => deviceLog.release());
  stillWanted();
  const socket = await connecting.catch((error: unknown) => { stillWanted(); throw error; });
  sessionOwnsSocket = true;
  // Said once there is a conversation to go on with: not before a connection error that ends the run.
  const effective = textFallback(options, io, audio, logger);
  const transport = options.protocol === 'live' ? liveTransport(socket, options, logger) : socket;
  const session = resources.defer('connection', new RealtimeSession(transport, dialectFor(sessionDialectOf(options.protocol)), { logger }), (s) => s.close(1000));
  stillWanted();
  const settings: RunSettings = {
    offline: local !== undefined, secrets: apiKey ? [apiKey] : [], prices: extras.prices,
    // A Live session cannot be resumed on a new connection (its model, voice and context are fixed at start).
    tools: tools.tools.length ? tools : undefined, timers, connect: options.protocol === 'live' ? undefined : connect,
    terminalUi: (await terminalUi)?.TerminalUi,
  };
  const config = buildSessionConfig(effective, instructions, (line) => logger.log('warn', line));
  // The session begins here (its recording too): from now on --output holds its answer.
  outputFile?.begin();
  return {
    run: new ChatRun(effective, io, logger, session, audio, settings, resources),
    sessionConfig: tools.declarations.length ? { ...config, tools: tools.declarations } : config,
  };
}

/** GPT-Live behind the GA event model the rest of kaiwa speaks. */
function liveTransport(socket: ListeningTransport, options: ChatOptions, logger: RedactingLogger): LiveTransport {
  return new LiveTransport(socket, { notice: (line) => logger.log('info', line), delegateModel: options.delegateModel });
}

/**
 * Without SoX or a sound device kaiwa goes on with typed text (from the terminal, or lines
 * piped in), asking for text answers unless audio goes to a file.
 */
function textFallback(options: ChatOptions, io: ChatIo, audio: AudioSetup, logger: RedactingLogger): ChatOptions {
  if (!audio.textFallback) return options;
  if (io.stdin.isTTY) logger.log('info', 'continuing in text mode: type a message and press Enter');
  else if (options.text === undefined) logger.log('info', 'continuing in text mode: each line on standard input is a message');
  return options.output ? options : { ...options, modalities: 'text' };
}

async function closeAudio(audio: AudioSetup): Promise<void> {
  await audio.speaker?.close().catch(() => undefined);
  await audio.source?.stop().catch(() => undefined);
  if (audio.echoGuard.mode === 'pulse') await audio.echoGuard.unload();
}
