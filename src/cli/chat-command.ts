import { createInterface } from 'node:readline';
import type { ChatOptions } from './chat-options.js';
import { buildSessionConfig, readInstructions } from './session-config.js';
import { setUpAudio, type AudioSetup } from './audio-setup.js';
import { TranscriptPrinter } from './transcript-printer.js';
import { eventToJsonLine } from './json-printer.js';
import { formatDuration, formatTokens } from './usage-format.js';
import { resolveEndpoint } from '../client/endpoint.js';
import { WebSocketTransport } from '../client/ws-transport.js';
import { RealtimeSession } from '../client/session.js';
import { AudioBridge } from '../client/audio-bridge.js';
import { wireCodecFor } from '../client/wire-codec.js';
import { FileEndPadding } from '../client/file-end-padding.js';
import { BargeIn, type Interruption } from '../client/barge-in.js';
import { dialectFor } from '../protocol/dialects.js';
import { sampleRateOf } from '../protocol/audio-format.js';
import type { ServerEvent } from '../protocol/events.js';
import { RedactingLogger } from '../logger.js';
import { UsageError, errorMessage } from '../errors.js';
import { tokensOfUsage } from '../client/usage.js';

export interface ChatIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const MAX_MALFORMED_WARNINGS = 3;

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
  const run = new ChatRun(effective, io, logger, session, audio);
  return run.start(buildSessionConfig(effective, instructions));
}

class ChatRun {
  private readonly bridge: AudioBridge;
  private readonly printer: TranscriptPrinter;
  private readonly padding: FileEndPadding | undefined;
  readonly bargeIn: BargeIn | undefined;
  private readonly startedAt = Date.now();
  private malformedCount = 0;
  private stdinClosed = false;
  private shuttingDown = false;
  private finished!: (code: number) => void;

  constructor(
    private readonly options: ChatOptions,
    private readonly io: ChatIo,
    private readonly logger: RedactingLogger,
    private readonly session: RealtimeSession,
    private readonly audio: AudioSetup,
  ) {
    this.printer = new TranscriptPrinter({ write: (text) => this.writeOut(text) });
    this.padding = options.input ? new FileEndPadding(session, (pcm) => this.bridge.sendPcm(pcm), sampleRateOf(options.audioFormat), options.vad !== 'none') : undefined;
    this.bridge = new AudioBridge({
      session,
      codec: wireCodecFor(options.audioFormat),
      source: audio.source,
      speaker: audio.speaker,
      sinks: audio.sinks,
      onSourceEnd: () => this.padding?.start(),
      onDeviceError: (error) => this.onDeviceError(error),
    });
    if (audio.speaker) {
      this.bargeIn = new BargeIn(session, audio.speaker, (itemId) => this.bridge.interrupt(itemId), (cut) => this.onInterrupted(cut));
    }
  }

  private onInterrupted(cut: Interruption): void {
    this.printer.interrupted(cut.itemId, cut.heardMs);
    this.logger.log('debug', `interrupted ${cut.itemId} after ${cut.heardMs} ms (${cut.action})`);
  }

  start(sessionConfig: Parameters<RealtimeSession['updateSession']>[0]): Promise<number> {
    const done = new Promise<number>((resolve) => { this.finished = resolve; });
    this.session.on('server-event', (event) => this.onServerEvent(event));
    this.session.on('malformed', (reason) => this.onMalformed(reason));
    this.session.on('close', (code, reason) => this.onSocketClosed(code, reason));
    this.session.updateSession(sessionConfig);
    this.bridge.start();
    if (this.options.text !== undefined) this.session.sendText(this.options.text);
    this.readTypedLines();
    this.handleSignals();
    return done;
  }

  private onServerEvent(event: ServerEvent): void {
    if (this.options.json) this.writeOut(`${eventToJsonLine(event)}\n`);
    else this.printer.handle(event, this.session.state);
    if (event.type === 'error') this.logger.log('warn', `server error: ${event.error.code ?? event.error.type}: ${event.error.message}`);
    if (event.type === 'response.done') this.onResponseDone(event);
  }

  /** Whatever a server says goes through the redactor: it may echo the key back. */
  private writeOut(text: string): void {
    this.io.stdout.write(this.logger.redact(text));
  }

  private onResponseDone(event: ServerEvent & { type: 'response.done' }): void {
    const status = event.response.status ?? 'completed';
    if (!this.options.json) this.logger.log('info', `usage: ${formatTokens(tokensOfUsage(event.response.usage))}`);
    if (status === 'failed') {
      const reason = event.response.status_details?.error?.message ?? event.response.status_details?.reason ?? 'no reason given';
      this.logger.log('warn', `response failed: ${reason}`);
    }
    if (this.options.once) void this.shutdown(status === 'failed' || status === 'cancelled' ? 1 : 0);
    else if (this.stdinClosed && !this.audio.source && !this.session.responseInFlight) void this.shutdown(0);
  }

  private onMalformed(reason: string): void {
    this.malformedCount += 1;
    if (this.malformedCount <= MAX_MALFORMED_WARNINGS) this.logger.log('warn', reason);
    if (this.malformedCount === MAX_MALFORMED_WARNINGS) this.logger.log('warn', 'further malformed events are counted, not shown (--debug shows them)');
  }

  private onSocketClosed(code: number, reason: string): void {
    if (this.shuttingDown) return;
    this.logger.log('error', `connection closed by the server (code ${code}${reason ? `: ${reason}` : ''})`);
    void this.shutdown(1);
  }

  private onDeviceError(error: Error): void {
    this.logger.log('warn', errorMessage(error));
    const microphoneLost = !this.options.input && this.audio.source !== undefined;
    if (microphoneLost && !this.io.stdin.isTTY && this.options.text === undefined) void this.shutdown(1);
  }

  private readTypedLines(): void {
    const lines = createInterface({ input: this.io.stdin, terminal: false });
    lines.on('line', (line) => {
      const text = line.trim();
      if (text && !this.shuttingDown) this.session.sendText(text);
    });
    lines.on('close', () => {
      this.stdinClosed = true;
      if (!this.audio.source && !this.session.responseInFlight && this.options.text === undefined && !this.options.once) void this.shutdown(0);
    });
  }

  private handleSignals(): void {
    const onSignal = (): void => {
      if (this.shuttingDown) process.exit(130);
      void this.shutdown(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  /** Stops capture, drains the speaker, closes the socket cleanly, then prints the summary. */
  async shutdown(code: number): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.padding?.stop();
    this.bridge.stopCapturing();
    await this.bridge.close().catch((error: unknown) => this.logger.log('warn', errorMessage(error)));
    await this.session.close(1000);
    this.printer.finish();
    this.printSummary();
    this.finished(code);
  }

  private printSummary(): void {
    const state = this.session.state;
    const responses = state.responses.length;
    const parts = [
      `${responses} response${responses === 1 ? '' : 's'}`,
      formatDuration(Date.now() - this.startedAt),
      `tokens ${formatTokens(state.tokens)}`,
    ];
    if (this.session.droppedAudioChunks) parts.push(`${this.session.droppedAudioChunks} audio chunks dropped (network too slow)`);
    this.logger.log('info', `session ended: ${parts.join(' · ')}`);
    if (this.options.output) this.logger.log('info', `assistant audio written to ${this.options.output}`);
  }
}
