import { createInterface } from 'node:readline';
import type { ChatOptions } from './chat-options.js';
import type { AudioSetup } from './audio-setup.js';
import { TranscriptPrinter } from './transcript-printer.js';
import { eventToJsonLine } from './json-printer.js';
import { formatDuration } from './duration-format.js';
import { formatTokens } from '../cost/token-format.js';
import { TerminalUi } from './tui/terminal-ui.js';
import type { RealtimeSession } from '../client/session.js';
import type { ListeningTransport } from '../protocol/transport.js';
import { Reconnector } from '../client/reconnector.js';
import { AudioBridge } from '../client/audio-bridge.js';
import { wireCodecFor } from '../client/wire-codec.js';
import { FileEndPadding } from '../client/file-end-padding.js';
import { BargeIn, type Interruption } from '../client/barge-in.js';
import { MicGate } from '../client/mic-gate.js';
import { PushToTalk } from '../client/push-to-talk.js';
import { LoopDetector } from '../client/loop-detector.js';
import { ResidualEchoGate } from '../client/residual-echo-gate.js';
import type { PacedPlayer } from '../audio/paced-player.js';
import { inputTotal, outputTotal, tokensOfUsage } from '../cost/token-totals.js';
import { sampleRateOf } from '../protocol/audio-format.js';
import type { ProtocolError, ServerEvent, SessionConfig } from '../protocol/events.js';
import { severityOf } from '../client/error-severity.js';
import { rmsDbfs, bytesToMs } from '../audio/pcm16.js';
import type { RedactingLogger } from '../logger.js';
import { errorMessage } from '../errors.js';
import { SpendWatch } from './spend-watch.js';
import type { PriceOverrides } from '../cost/pricing.js';
import type { SessionRecorder } from '../recording/session-recorder.js';
import { recordSession } from './session-recording.js';
import { explainServerError, rateLimitNotice } from './rate-limit-notice.js';
import { runTools, type ToolHooks, type ToolSet } from './tool-setup.js';
import type { AttachedTools, TimerInfo } from '../tools/index.js';

export interface ChatIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface RunContext {
  offline: boolean;
  secrets: string[];
  prices?: PriceOverrides;
  tools?: ToolSet;
  toolHooks?: ToolHooks;
  /** Opens a new connection to the same endpoint (for reconnecting). */
  connect?: () => Promise<ListeningTransport>;
  onTimerFired?: (timer: TimerInfo) => void;
}

const MAX_MALFORMED_WARNINGS = 3;
/** Room echo and the sound server's buffer outlast the last sample played. */
const HALF_DUPLEX_TAIL_MS = 300;
const AUDIBLE_POLL_MS = 50;

function residualEchoFilter(speaker: PacedPlayer): (pcm: Buffer) => Buffer {
  const gate = new ResidualEchoGate(speaker);
  return (pcm) => gate.filter(pcm);
}

/** The running conversation: wires session, audio, output and keys, and shuts it all down. */
export class ChatRun {
  readonly bargeIn: BargeIn | undefined;
  private readonly bridge: AudioBridge;
  private readonly printer: TranscriptPrinter;
  private readonly padding: FileEndPadding | undefined;
  private readonly gate: MicGate;
  private readonly pushToTalk: PushToTalk;
  private readonly ui: TerminalUi | undefined;
  private readonly spend: SpendWatch;
  private readonly recorder: SessionRecorder | undefined;
  private readonly attachedTools: AttachedTools | undefined;
  private readonly loopDetector = new LoopDetector();
  private reconnector: Reconnector | undefined;
  private sessionConfig: SessionConfig | undefined;
  /** Restored items the server has yet to announce; they were printed the first time. */
  private restoredEchoes = 0;
  private loopWarned = false;
  private readonly startedAt = Date.now();
  private audibleTimer: NodeJS.Timeout | undefined;
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
    private readonly context: RunContext,
  ) {
    const rate = sampleRateOf(options.audioFormat);
    this.ui = this.createUi(context.offline);
    this.spend = new SpendWatch({
      model: () => session.state.session?.model ?? options.model,
      prices: context.prices, free: context.offline, maxCostUsd: options.maxCost, maxMinutes: options.maxMinutes,
      logger, onLimit: () => this.onBudgetLimit(),
    });
    this.recorder = options.record
      ? recordSession(session, { dir: options.record, sampleRate: rate, model: options.model, secrets: context.secrets, ...(context.prices ? { prices: context.prices } : {}) }, logger)
      : undefined;
    this.printer = new TranscriptPrinter({ write: (text) => this.writeTranscript(text) });
    this.gate = new MicGate(this.ui !== undefined && options.vad === 'none', this.halfDuplex(audio));
    this.pushToTalk = new PushToTalk(session, this.gate);
    this.padding = options.input ? new FileEndPadding(session, (pcm) => this.bridge.sendPcm(pcm), rate, options.vad !== 'none') : undefined;
    this.bridge = new AudioBridge({
      session,
      codec: wireCodecFor(options.audioFormat),
      source: audio.source,
      speaker: audio.speaker,
      sinks: audio.sinks,
      gate: () => this.gate.isOpen(),
      ...(audio.echoGuard.mode === 'aec' && audio.speaker ? { filterCaptured: residualEchoFilter(audio.speaker) } : {}),
      onCaptured: (pcm, sent) => this.onCaptured(pcm, sent, rate),
      onAssistantAudio: (itemId, pcm) => this.recorder?.assistantAudio(itemId, pcm),
      onSent: (pcm) => this.recorder?.userAudio(pcm),
      onSourceEnd: () => this.padding?.start(),
      onDeviceError: (error) => this.onDeviceError(error),
      onDeviceRestart: (reason) => this.logger.log('warn', `${reason}; restarted it, the conversation goes on`),
    });
    this.attachedTools = this.attachTools(context);
    if (audio.speaker) {
      this.bargeIn = new BargeIn(session, audio.speaker, (itemId) => this.bridge.interrupt(itemId), (cut) => this.onInterrupted(cut));
    }
  }

  start(sessionConfig: SessionConfig): Promise<number> {
    const done = new Promise<number>((resolve) => { this.finished = resolve; });
    this.session.on('server-event', (event) => this.onServerEvent(event));
    this.session.on('malformed', (reason) => this.onMalformed(reason));
    this.session.on('close', (code, reason) => this.onSocketClosed(code, reason));
    this.sessionConfig = sessionConfig;
    this.reconnector = this.createReconnector();
    this.session.updateSession(sessionConfig);
    this.ui?.dispatch({ type: 'connected' });
    this.bridge.start();
    if (this.options.text !== undefined) this.session.sendText(this.options.text);
    if (!this.ui) this.readTypedLines();
    this.watchPlayback();
    this.handleSignals();
    return done;
  }

  private createUi(offline: boolean): TerminalUi | undefined {
    const interactive = this.io.stdout.isTTY && this.io.stdin.isTTY && !this.options.json;
    if (!interactive) return undefined;
    const ui = new TerminalUi(this.io.stdout as NodeJS.WriteStream, this.io.stdin as NodeJS.ReadStream, {
      toggleMute: () => this.toggleMute(),
      pushToTalk: () => this.togglePushToTalk(),
      interrupt: () => this.bargeIn?.interrupt() ?? this.session.cancelResponse(),
      sendText: (text) => this.session.sendText(text),
      quit: () => (this.shuttingDown ? process.exit(130) : void this.shutdown(0, { drain: false })),
    }, { offline, pushToTalk: this.options.vad === 'none' });
    this.logger.redirect((line) => ui.note(this.logger.redact(line)));
    return ui;
  }

  /** Half-duplex: the microphone is closed while the assistant is audible and for a short room-echo tail. */
  private halfDuplex(audio: AudioSetup): { audible: () => boolean; tailMs: number } | undefined {
    const speaker = audio.speaker;
    if (audio.echoGuard.mode !== 'half-duplex' || !speaker) return undefined;
    return { audible: () => speaker.audible, tailMs: HALF_DUPLEX_TAIL_MS };
  }

  /** The last line of defence in every mode: the assistant heard answering itself. */
  private checkForLoop(event: ServerEvent): void {
    if (!this.loopDetector.observe(event) || this.gate.pausedForLoop) return;
    this.gate.pausedForLoop = true;
    this.session.clearAudio();
    if (this.session.responseInFlight) this.bargeIn?.interrupt() ?? this.session.cancelResponse();
    this.ui?.dispatch({ type: 'mute', muted: true });
    this.ui?.dispatch({ type: 'notice', text: 'feedback loop: mic paused (Space resumes)' });
    if (this.loopWarned) return;
    this.loopWarned = true;
    this.logger.log('warn', 'the microphone is hearing the assistant (a feedback loop that costs tokens): microphone paused. '
      + `Use headphones or --echo-guard aec${this.ui ? ', then press Space to resume' : ''}.`);
  }

  private attachTools(context: RunContext): AttachedTools | undefined {
    if (!context.tools || !context.toolHooks) return undefined;
    if (this.ui) {
      const ui = this.ui;
      context.toolHooks.ask = (question, signal) => ui.ask(question, signal);
    }
    context.onTimerFired = (timer) => this.onTimerFired(timer);
    return runTools(this.session, context.tools, this.options, context.toolHooks);
  }

  /** A timer the model set has run out: say so here, and let the assistant say it out loud. */
  private onTimerFired(timer: TimerInfo): void {
    this.logger.log('info', `⏰ timer "${timer.label}" (${timer.seconds} s) is up`);
    if (this.shuttingDown) return;
    this.session.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'system', content: [{ type: 'input_text', text: `The timer "${timer.label}" set for ${timer.seconds} seconds has just finished. Tell the user.` }] },
    });
    this.session.createResponse();
  }

  private toggleMute(): void {
    if (this.gate.pausedForLoop) {
      this.gate.pausedForLoop = false;
      this.gate.muted = false;
      this.ui?.dispatch({ type: 'notice', text: undefined });
      this.ui?.dispatch({ type: 'mute', muted: false });
      return;
    }
    this.gate.muted = !this.gate.muted;
    this.ui?.dispatch({ type: 'mute', muted: this.gate.muted });
  }

  private togglePushToTalk(): void {
    if (this.pushToTalk.talking) this.bridge.flushCapture();
    const result = this.pushToTalk.toggle();
    this.ui?.dispatch({ type: 'talking', talking: this.pushToTalk.talking });
    this.ui?.dispatch({ type: 'notice', text: result === 'empty' ? 'nothing recorded' : undefined });
  }

  private onCaptured(pcm: Buffer, sent: boolean, rate: number): void {
    if (sent) this.pushToTalk.recordSent(bytesToMs(pcm.length, rate));
    this.ui?.dispatch({ type: 'level', dbfs: rmsDbfs(pcm) });
  }

  private watchPlayback(): void {
    const speaker = this.audio.speaker;
    if (!speaker || !this.ui) return;
    let audible = false;
    this.audibleTimer = setInterval(() => {
      if (speaker.audible === audible) return;
      audible = speaker.audible;
      this.ui?.dispatch({ type: 'audible', audible });
    }, AUDIBLE_POLL_MS);
  }

  /** Whatever a server says goes through the redactor: it may echo the key back. */
  private writeTranscript(text: string): void {
    const clean = this.logger.redact(text);
    if (this.ui) this.ui.write(clean);
    else this.io.stdout.write(clean);
  }

  private onServerEvent(event: ServerEvent): void {
    if (this.options.json) this.io.stdout.write(this.logger.redact(`${eventToJsonLine(event)}\n`));
    else if (!this.isRestoredEcho(event)) this.printer.handle(event, this.session.state);
    this.ui?.dispatch({ type: 'server', event });
    this.checkForLoop(event);
    if (event.type === 'error') this.onServerError(event.error);
    if (event.type === 'rate_limits.updated') this.noteRateLimits(event);
    if (event.type === 'response.done') this.onResponseDone(event);
  }

  private onServerError(error: ProtocolError): void {
    const severity = severityOf(error);
    const line = `server error: ${error.code ?? error.type}: ${explainServerError(error.code, error.message)}`;
    if (severity !== 'fatal') return this.logger.log('warn', line);
    this.logger.log('error', `${line} (this cannot get better by retrying; ending the session)`);
    void this.shutdown(1, { drain: false });
  }

  private noteRateLimits(event: ServerEvent & { type: 'rate_limits.updated' }): void {
    const notice = rateLimitNotice(event);
    if (notice) this.logger.log('warn', notice);
  }

  private onResponseDone(event: ServerEvent & { type: 'response.done' }): void {
    const status = event.response.status ?? 'completed';
    const tokens = tokensOfUsage(event.response.usage);
    const costText = this.spend.addResponse(tokens);
    const totals = this.session.state.tokens;
    const total = this.spend.totalUsd;
    this.ui?.dispatch({ type: 'usage', tokensIn: inputTotal(totals), tokensOut: outputTotal(totals), ...(total !== undefined ? { costUsd: total } : {}) });
    // The terminal UI keeps running totals in its status bar; a line per response is for plain output.
    if (!this.options.json) this.logger.log(this.ui ? 'debug' : 'info', `usage: ${formatTokens(tokens)} · ${costText}`);
    if (status === 'failed') {
      const reason = event.response.status_details?.error?.message ?? event.response.status_details?.reason ?? 'no reason given';
      this.logger.log('warn', `response failed: ${reason}`);
    }
    const toolsWillAnswer = this.attachedTools !== undefined && status === 'completed'
      && (event.response.output ?? []).some((item) => item.type === 'function_call');
    // A response that called tools is followed by the one that uses their results.
    if (toolsWillAnswer) return;
    if (this.options.once) void this.shutdown(status === 'failed' || status === 'cancelled' ? 1 : 0);
    else if (this.spend.stopped && !this.session.responseInFlight) void this.shutdown(0);
    else if (this.stdinClosed && !this.audio.source && !this.session.responseInFlight) void this.shutdown(0);
  }

  /** At the limit: no more audio goes out; the response under way may finish, then the session ends. */
  private onBudgetLimit(): void {
    this.bridge.stopCapturing();
    if (!this.session.responseInFlight && !this.options.once) void this.shutdown(0);
  }

  private onInterrupted(cut: Interruption): void {
    this.recorder?.interruptAssistant();
    this.printer.interrupted(cut.itemId, cut.heardMs);
    this.logger.log('debug', `interrupted ${cut.itemId} after ${cut.heardMs} ms (${cut.action})`);
  }

  private onMalformed(reason: string): void {
    this.malformedCount += 1;
    if (this.malformedCount <= MAX_MALFORMED_WARNINGS) this.logger.log('warn', reason);
    if (this.malformedCount === MAX_MALFORMED_WARNINGS) this.logger.log('warn', 'further malformed events are counted, not shown (--debug shows them)');
  }

  private createReconnector(): Reconnector | undefined {
    const connect = this.context.connect;
    if (!this.options.reconnect || !connect) return undefined;
    return new Reconnector(this.session, {
      connect,
      sessionConfig: () => this.sessionConfig!,
      giveUpAfterMs: this.options.reconnectTimeout * 1000,
      onReconnecting: (attempt, delayMs, reason) => {
        this.logger.log(attempt === 1 ? 'warn' : 'debug', `connection lost (${reason}): reconnecting in ${delayMs} ms (attempt ${attempt})`);
        this.ui?.dispatch({ type: 'notice', text: 'reconnecting…' });
      },
      onReconnected: (restored) => {
        this.restoredEchoes = restored;
        this.logger.log('warn', `reconnected; the conversation so far was restored (${restored} item${restored === 1 ? '' : 's'})`);
        this.ui?.dispatch({ type: 'notice', text: undefined });
      },
      onGaveUp: (reason) => this.logger.log('error', `could not reconnect within ${this.options.reconnectTimeout} s (${reason}); ending the session`),
      onRejected: (error) => this.logger.log('error', `${error.message}; ending the session`),
    });
  }

  private onSocketClosed(code: number, reason: string): void {
    if (this.shuttingDown || this.session.closing) return;
    const why = `code ${code}${reason ? `: ${reason}` : ''}`;
    this.audio.speaker?.clear();
    this.printer.connectionLost();
    if (!this.reconnector) {
      this.logger.log('error', `connection closed by the server (${why})`);
      void this.shutdown(1);
      return;
    }
    void this.reconnector.recover(why).then((ok) => { if (!ok && !this.shuttingDown) void this.shutdown(1); });
  }

  /** Restored items come back from the new session; they are not news to the reader. */
  private isRestoredEcho(event: ServerEvent): boolean {
    if (this.restoredEchoes === 0) return false;
    if (event.type === 'conversation.item.done') return true;
    if (event.type !== 'conversation.item.added') return false;
    this.restoredEchoes -= 1;
    return true;
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
      void this.shutdown(0, { drain: false });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  /**
   * Stops capture, lets the speaker finish (or stops it when the user asked to quit),
   * closes the socket with 1000, then prints the summary. Output files are always complete.
   */
  async shutdown(code: number, options: { drain: boolean } = { drain: true }): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.audibleTimer) clearInterval(this.audibleTimer);
    this.spend.stop();
    this.reconnector?.stop();
    this.padding?.stop();
    this.bridge.stopCapturing();
    if (!options.drain) {
      this.audio.speaker?.clear();
      this.recorder?.interruptAssistant();
    }
    await this.bridge.close().catch((error: unknown) => this.logger.log('warn', errorMessage(error)));
    if (this.audio.echoGuard.mode === 'aec') await this.audio.echoGuard.devices.unload();
    this.attachedTools?.detach();
    await this.session.close(1000);
    await this.context.tools?.close().catch((error: unknown) => this.logger.log('warn', `tools: ${errorMessage(error)}`));
    await this.recorder?.close().catch((error: unknown) => this.logger.log('warn', `recording: ${errorMessage(error)}`));
    this.printer.finish();
    this.ui?.close();
    this.logger.redirect((line) => this.io.stderr.write(line));
    this.printSummary();
    this.finished(code);
  }

  private printSummary(): void {
    const state = this.session.state;
    const responses = state.responses.length;
    const turns = state.items.filter((item) => item.speaker === 'user').length;
    const parts = [
      formatDuration(Date.now() - this.startedAt),
      `${turns} turn${turns === 1 ? '' : 's'}`,
      `${responses} response${responses === 1 ? '' : 's'}`,
      `tokens ${formatTokens(state.tokens)}`,
      this.spend.describeTotal(),
    ];
    if (this.session.droppedAudioChunks) parts.push(`${this.session.droppedAudioChunks} audio chunks dropped (network too slow)`);
    this.logger.log('info', `session ended: ${parts.join(' · ')}`);
    if (this.options.output) this.logger.log('info', `assistant audio written to ${this.options.output}`);
    if (this.options.record) this.logger.log('info', `recording written to ${this.options.record} (conversation.wav, transcript.md, events.jsonl)`);
  }
}
