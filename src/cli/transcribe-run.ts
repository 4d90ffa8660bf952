import type { AudioSource } from '../audio/devices.js';
import { bytesToMs } from '../audio/pcm16.js';
import { AudioBridge } from '../client/audio-bridge.js';
import { SessionHelloWatch, helloFailureMessage, type HelloFailure } from '../client/session-hello.js';
import { severityOf } from '../client/error-severity.js';
import type { RealtimeSession } from '../client/session.js';
import { TranscriptionSession, transcriptionSessionConfig, type TranscriptionSettings } from '../client/transcription-session.js';
import { Reconnector } from '../client/reconnector.js';
import type { ListeningTransport } from '../protocol/transport.js';
import { wireCodecFor } from '../client/wire-codec.js';
import type { FinishedCaption } from '../client/caption-track.js';
import { TranscriptionSpend } from '../cost/transcription-spend.js';
import type { ProtocolError } from '../protocol/events.js';
import type { RedactingLogger } from '../logger.js';
import { errorMessage } from '../errors.js';
import { CaptionPrinter } from './caption-printer.js';
import { canRedrawInPlace } from './terminal-redraw.js';
import { eventToJsonLine } from './json-printer.js';
import { formatDuration } from './duration-format.js';
import type { TextOutputFile } from './text-output-file.js';
import type { ResourceStack } from './resource-stack.js';
import type { InputStream } from './input-source.js';
import { own } from '../own-text.js';

export interface TranscribeIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Where `--input -` reads its WAV (default: the process's standard input). */
  stdin?: InputStream;
  /** Aborted by the first Ctrl-C / SIGTERM: the last turn is still transcribed. */
  stop?: AbortSignal;
}

export interface TranscribeParts {
  session: RealtimeSession;
  /** Opens a new connection to the same endpoint, for reconnecting a lost one. */
  connect?: (() => Promise<ListeningTransport>) | undefined;
  source: AudioSource;
  settings: TranscriptionSettings;
  offline: boolean;
  json: boolean;
  textFile?: TextOutputFile | undefined;
  /** How long the first connection may stay without a session (--connect-timeout). */
  helloTimeoutMs: number;
}

/** With nothing arriving for this long after the final commit, the missing transcripts are given up. */
const QUIET_MS = 15_000;

/**
 * One transcription run: audio goes out, captions come in, and at the end of the input
 * (or on Ctrl-C) the last turn is committed and waited for. `start` resolves the exit
 * code; the caller closes the resource stack.
 */
export class TranscribeRun {
  private readonly transcription: TranscriptionSession;
  private readonly printer: CaptionPrinter;
  private readonly spend: TranscriptionSpend;
  private readonly bridge: AudioBridge;
  private readonly reconnector: Reconnector | undefined;
  private sentBytes = 0;
  private lines = 0;
  private finishing = false;
  /** Whether the first connection became a session (until it does, a close ends the run). */
  private hello: SessionHelloWatch | undefined;
  private exitCode: number | undefined;
  private finished: ((code: number) => void) | undefined;

  constructor(private readonly parts: TranscribeParts, private readonly io: TranscribeIo, private readonly logger: RedactingLogger, resources: ResourceStack) {
    const { session } = parts;
    // Now, not in start(): session.created may already be on its way.
    session.on('server-event', (event) => { if (parts.json) io.stdout.write(logger.redact(`${eventToJsonLine(event)}\n`)); });
    this.transcription = new TranscriptionSession(session);
    this.printer = resources.defer('captions', new CaptionPrinter({
      write: (text) => io.stdout.write(logger.redact(text)),
      // As the chat decides: a dumb terminal gets final lines, as a pipe does.
      tty: canRedrawInPlace(io.stdout, io.env) && !parts.json,
      columns: () => io.stdout.columns ?? 0,
    }), (printer) => printer.finish());
    this.spend = new TranscriptionSpend(parts.settings.model, parts.offline);
    this.bridge = resources.defer('audio', new AudioBridge({
      session, codec: wireCodecFor('pcm16'), source: parts.source, sinks: [],
      onSent: (pcm, sent) => { if (sent) this.sentBytes += pcm.length; },
      onSourceEnd: () => void this.finishUp(),
      onDeviceError: (error) => this.onDeviceError(error),
      onDeviceRestart: (reason) => logger.log('warn', `${reason}; restarted it, transcription goes on`),
    }), (bridge) => bridge.close());
    this.reconnector = parts.connect ? this.createReconnector(parts.connect) : undefined;
  }

  start(): Promise<number> {
    const { session, json } = this.parts;
    const done = new Promise<number>((resolve) => { this.finished = resolve; });
    session.on('close', (code, reason) => this.onClosed(code, reason));
    this.hello = new SessionHelloWatch(session, (failure) => this.noSession(failure), this.parts.helloTimeoutMs);
    if (!json) this.transcription.on('partial', (text) => this.printer.partial(text));
    this.transcription.on('line', (caption) => this.onLine(caption));
    this.transcription.on('completed', (event) => this.spend.add(event.usage));
    this.transcription.on('problem', (error, aboutConfiguration) => this.onProblem(error, aboutConfiguration));
    this.io.stop?.addEventListener('abort', () => void this.finishUp(), { once: true });
    this.transcription.configure(this.parts.settings);
    this.bridge.start();
    return done;
  }

  summary(): string[] {
    const audioMs = bytesToMs(this.sentBytes, this.parts.source.format.sampleRate);
    const turns = `${this.lines} line${this.lines === 1 ? '' : 's'}`;
    return [own`transcribed ${turns} from ${formatDuration(audioMs)} of audio · ${this.spend.describe(audioMs)}`];
  }

  private onLine(caption: FinishedCaption): void {
    if (caption.failure) {
      this.logger.log('warn', `a turn could not be transcribed: ${caption.failure}`);
      return;
    }
    if (!caption.transcript) return;
    this.lines += 1;
    if (!this.parts.json) this.printer.line(caption.transcript);
    this.parts.textFile?.append(caption.transcript);
  }

  private onProblem(error: ProtocolError, aboutConfiguration: boolean): void {
    const line = `server error: ${error.code ?? error.type}: ${error.message}`;
    if (!aboutConfiguration && severityOf(error) !== 'fatal') {
      this.logger.log('warn', line);
      return;
    }
    this.logger.log('error', `${line} (ending the transcription)`);
    this.end(1);
  }

  /** End of the file, or Ctrl-C: the turn under way is committed and its transcript awaited. */
  private async finishUp(): Promise<void> {
    if (this.finishing || this.exitCode !== undefined) return;
    this.finishing = true;
    this.bridge.flushCapture();
    this.bridge.stopCapturing();
    const outcome = await this.transcription.finish(QUIET_MS);
    if (outcome === 'done') return this.end(0);
    if (outcome === 'timed-out') {
      this.logger.log('error', `gave up waiting: ${this.transcription.unsettled} turn(s) got no transcript within ${QUIET_MS / 1000} s`);
    }
    this.end(1);
  }

  private onClosed(code: number, reason: string): void {
    if (this.exitCode !== undefined || this.parts.session.closing) return;
    if (this.hello && !this.hello.sessionBegun) return this.noSession(this.hello.closedBeforeHello(code, reason));
    const why = `code ${code}${reason ? `: ${reason}` : ''}`;
    if (this.reconnector && !this.finishing) return void this.reconnect(why);
    this.logger.log('error', `the connection closed (${why}); ${this.transcription.unsettled} turn(s) had no transcript yet`);
    this.end(1);
  }

  /**
   * Captions go on over a new connection; what was said while there was none is not
   * transcribed, and each turn left without its transcript says so in its place.
   */
  private async reconnect(why: string): Promise<void> {
    this.transcription.connectionLost();
    if (await this.reconnector!.recover(why)) return;
    this.end(1);
  }

  private createReconnector(connect: () => Promise<ListeningTransport>): Reconnector {
    return new Reconnector(this.parts.session, {
      connect, sessionConfig: () => transcriptionSessionConfig(this.parts.settings), restoreContext: false,
      onReconnecting: (attempt, delayMs, reason) => this.logger.log(attempt === 1 ? 'warn' : 'debug', `connection lost (${reason}): reconnecting in ${delayMs} ms (attempt ${attempt})`),
      onReconnected: () => this.logger.log('warn', 'reconnected; the captions go on (what was said meanwhile is not transcribed)'),
      onGaveUp: (reason) => this.logger.log('error', `could not reconnect (${reason}); ending the transcription`),
      onRejected: (error) => this.logger.log('error', `${error.message}; ending the transcription`),
    });
  }

  private onDeviceError(error: Error): void {
    this.logger.log('error', errorMessage(error));
    this.end(1);
  }

  /** The first connection never became a session: nothing to transcribe with, nor to reconnect to. */
  private noSession(failure: HelloFailure): void {
    if (this.exitCode !== undefined) return;
    this.logger.log('error', helloFailureMessage(failure));
    this.end(1);
  }

  private end(code: number): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    this.hello?.stop();
    this.reconnector?.stop();
    this.bridge.stopCapturing();
    this.finished?.(code);
  }
}
