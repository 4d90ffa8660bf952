import type { AudioSource, PcmFormat } from '../audio/devices.js';
import { openInputSource, type InputStream } from './input-source.js';
import { RestartingSource } from '../audio/restarting-source.js';
import { SoxRecorder, checkSox } from '../audio/sox.js';
import { resolveEndpoint } from '../client/endpoint.js';
import { connectWithRetries, retryNotice } from '../client/first-connect.js';
import { trustedCertificates } from './server-trust.js';
import { WebSocketTransport } from '../client/ws-transport.js';
import { proxyRouteFor } from '../client/proxy.js';
import { RealtimeSession } from '../client/session.js';
import type { TranscriptionSettings } from '../client/transcription-session.js';
import { dialectFor } from '../protocol/dialects.js';
import { RedactingLogger } from '../logger.js';
import { KaiwaError, UsageError, errorMessage } from '../errors.js';
import { startEmbeddedServer } from './local-server.js';
import { ResourceStack } from './resource-stack.js';
import { TextOutputFile } from './text-output-file.js';
import { TranscribeRun, type TranscribeIo } from './transcribe-run.js';
import type { TranscribeOptions } from './transcribe-options.js';
import { turnDetectionFrom } from './vad-flags.js';

export type { TranscribeIo } from './transcribe-run.js';

/** Transcription sessions take 24 kHz PCM16. */
const FORMAT: PcmFormat = { sampleRate: 24000 };
const INTERRUPTED = 130;

/** Why kaiwa uses its own server, or undefined when it goes to the one configured. */
function offlineReason(options: TranscribeOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.local) return '--local';
  if (env.OPENAI_API_KEY || options.url || env.OPENAI_BASE_URL) return undefined;
  return 'no OPENAI_API_KEY';
}

/**
 * `kaiwa transcribe`: live captions from the microphone or a WAV file over a Realtime
 * transcription session. Resolves the exit code; everything opened is closed in reverse.
 */
export async function runTranscribe(options: TranscribeOptions, io: TranscribeIo): Promise<number> {
  const logger = new RedactingLogger((line) => io.stderr.write(line), options.debug ? 'debug' : 'info');
  const resources = new ResourceStack(logger);
  let run: TranscribeRun | undefined;
  try {
    run = await openRun(options, io, logger, resources);
    return await run.start();
  } finally {
    await resources.closeAll();
    for (const line of run?.summary() ?? []) logger.log('info', line);
  }
}

async function openRun(options: TranscribeOptions, io: TranscribeIo, logger: RedactingLogger, resources: ResourceStack): Promise<TranscribeRun> {
  const settings = transcriptionSettings(options);
  const source = resources.defer('audio input', await openSource(options, io.stdin ?? process.stdin), (s) => s.stop());
  const textFile = options.outputText ? resources.defer('text output', new TextOutputFile(options.outputText), (file) => file.close()) : undefined;
  const offline = offlineReason(options, io.env);
  const apiKey = offline ? undefined : io.env.OPENAI_API_KEY || undefined;
  logger.addSecret(apiKey);
  const local = offline ? resources.defer('local server', await startEmbeddedServer(logger), (server) => server.close()) : undefined;
  if (offline) {
    logger.log('info', `offline (${offline}): kaiwa's local server transcribes (English only)`);
  }
  const endpoint = resolveEndpoint({
    intent: 'transcription', protocol: 'ga', apiKey, url: local?.url ?? options.url, baseUrl: local ? undefined : io.env.OPENAI_BASE_URL,
  });
  stillWanted(io);
  logger.log('debug', `connecting to ${endpoint.label} (transcription)`);
  const ca = trustedCertificates(endpoint.url, options.ca);
  const proxy = await proxyRouteFor(endpoint.url, io.env);
  const connect = (): Promise<WebSocketTransport> => WebSocketTransport.connect(endpoint, { timeoutMs: options.connectTimeout, ...(ca ? { ca } : {}), ...(proxy ? { proxy } : {}) });
  const firstConnection = connectWithRetries(connect, {
    ...(io.stop ? { signal: io.stop } : {}),
    onRetry: (error, delayMs, attempt) => logger.log('warn', retryNotice(error, delayMs, attempt)),
  });
  const session = resources.defer('connection', new RealtimeSession(await firstConnection, dialectFor('ga'), { logger }), (s) => s.close(1000));
  stillWanted(io);
  textFile?.begin();
  return new TranscribeRun({ session, connect, source, settings, offline: offline !== undefined, json: options.json, textFile, helloTimeoutMs: options.connectTimeout }, io, logger, resources);
}

function stillWanted(io: TranscribeIo): void {
  if (io.stop?.aborted) throw new KaiwaError('interrupted before the transcription began', INTERRUPTED);
}

function transcriptionSettings(options: TranscribeOptions): TranscriptionSettings {
  // From the SDK's types: gpt-realtime-whisper sessions must not use VAD.
  if (options.transcribe === 'gpt-realtime-whisper' && options.vad !== 'none') {
    throw new UsageError('gpt-realtime-whisper does not support turn detection: add --vad none');
  }
  return {
    model: options.transcribe,
    languages: options.language?.split(','),
    prompt: options.transcribePrompt,
    turnDetection: turnDetectionFrom(options),
    ...(options.noiseReduction ? { noiseReduction: options.noiseReduction === 'off' ? null : options.noiseReduction } : {}),
  };
}

/** The WAV file (or one piped in), or the microphone through SoX; a bad file or missing SoX fails before connecting. */
async function openSource(options: TranscribeOptions, stdin: InputStream): Promise<AudioSource> {
  if (options.input) return openInputSource(options.input, FORMAT, stdin);
  try {
    await checkSox();
  } catch (error) {
    throw new KaiwaError(`no microphone: ${errorMessage(error)} (or transcribe a file with --input FILE.wav)`);
  }
  return new RestartingSource(() => new SoxRecorder(FORMAT));
}
