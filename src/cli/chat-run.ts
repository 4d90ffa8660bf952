import type { EventEmitter } from 'node:events';
import type { ChatOptions } from './chat-options.js';
import type { AudioSetup } from './audio-setup.js';
import type { TerminalUi } from './tui/terminal-ui.js';
import type { RealtimeSession } from '../client/session.js';
import type { UnsentReason } from '../client/typed-line-ledger.js';
import type { ListeningTransport } from '../protocol/transport.js';
import { AudioBridge } from '../client/audio-bridge.js';
import { wireCodecFor } from '../client/wire-codec.js';
import { FileEndPadding } from '../client/file-end-padding.js';
import { BargeIn, type Interruption } from '../client/barge-in.js';
import type { InProcessEchoGuard } from '../client/in-process-echo-guard.js';
import { TurnAnswerWatch } from '../client/turn-answer-watch.js';
import { SessionHelloWatch, helloFailureMessage, type HelloFailure } from '../client/session-hello.js';
import { inProcessEchoGuard } from './in-process-echo.js';
import { echoFilterOf, halfDuplexOf } from './run-echo.js';
import { tokensOfUsage, inputTotal, outputTotal } from '../cost/token-totals.js';
import { sampleRateOf } from '../protocol/audio-format.js';
import type { ProtocolError, Response, ServerEvent, SessionConfig } from '../protocol/events.js';
import type { ResponseOwner } from '../client/response-ledger.js';
import { rmsDbfs, bytesToMs } from '../audio/pcm16.js';
import type { RedactingLogger } from '../logger.js';
import { errorMessage } from '../errors.js';
import { SpendWatch } from './spend-watch.js';
import type { PriceOverrides } from '../cost/pricing.js';
import type { SessionRecorder } from '../recording/session-recorder.js';
import { closeRecording, recordSession } from './session-recording.js';
import { runTools, type ToolSet } from './tool-setup.js';
import type { TimerInfo } from '../tools/index.js';
import { decideExit, EXIT_UNANSWERED, EXIT_USAGE, type ResponseStatus, type RunSituation } from './exit-decision.js';
import type { ResourceStack } from './resource-stack.js';
import { MicControl } from './mic-control.js';
import { RunOutput } from './run-output.js';
import { ConnectionKeeper } from './connection-keeper.js';
import { closeTerminal, openTerminal, showAudible } from './run-terminal.js';
import { summaryLines } from './session-summary.js';
import { LiveSessionNotes } from './live-session-notes.js';
import { STANDARD_INPUT } from './input-source.js';
import { readTypedLine, typedLineRefusal } from './typed-line-check.js';
import { ByteLines } from './byte-lines.js';
import { own } from '../own-text.js';

export interface ChatIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Aborted by the first Ctrl-C / SIGTERM (main.ts owns the signals). */
  stop?: AbortSignal;
  /** The quit key: what a Ctrl-C does (a second one exits at once). */
  requestStop?: () => void;
}

/** What the run is given, fixed for its life. */
export interface RunSettings {
  readonly offline: boolean;
  readonly secrets: readonly string[];
  readonly prices?: PriceOverrides | undefined;
  readonly tools?: ToolSet | undefined;
  /** Timers the model set announce themselves here ('fired'). */
  readonly timers?: EventEmitter<{ fired: [TimerInfo] }> | undefined;
  /** Opens a new connection to the same endpoint (for reconnecting). */
  readonly connect?: (() => Promise<ListeningTransport>) | undefined;
  /** The terminal UI, loaded only when kaiwa runs in a terminal. */
  readonly terminalUi?: typeof TerminalUi | undefined;
}

export { wantsTerminalUi } from './run-terminal.js';

/** What the last lines of a run say of a typed message the server never took in. */
const UNSENT_WORDS: Record<UnsentReason, string> = {
  'connection down': 'not sent (the connection was down)',
  'session never started': 'not sent (the session never started)',
  'never confirmed': 'sent, but the server never confirmed it',
  'turn never came': 'not sent (the session ended before its turn)',
  'never answered': 'sent, not answered (the session ended first)',
};

/**
 * The running conversation: wires the session to audio, output, keys, tools, costs and
 * recording (each opened onto the resource stack, which closes them), and decides when
 * it is over. `start` resolves the exit code; the caller closes the stack.
 */
export class ChatRun {
  private readonly ui: TerminalUi | undefined;
  private readonly output: RunOutput;
  private readonly spend: SpendWatch;
  private readonly recorder: SessionRecorder | undefined;
  private readonly bridge: AudioBridge;
  private readonly mic: MicControl;
  private readonly padding: FileEndPadding | undefined;
  private readonly bargeIn: BargeIn | undefined;
  /** GPT-Live only: usage priced per minute, and the model's delegated work shown aside. */
  private readonly live: LiveSessionNotes | undefined;
  private readonly echoGuard: InProcessEchoGuard | undefined;
  private echoGuardPrepared = false;
  private readonly startedAt = Date.now();
  private keeper: ConnectionKeeper | undefined;
  /** Whether the first connection became a session (until it does, a close ends the run). */
  private hello: SessionHelloWatch | undefined;
  /** The answer the server owes to the turn its VAD closed last (not with GPT-Live, which closes turns it may never answer). */
  private turnAnswer: TurnAnswerWatch | undefined;
  private stdinClosed = false;
  /** A piped line was refused after earlier ones were sent (see readTypedLines). */
  private inputRefused = false;
  /** A request was refused, or its answer failed or was given up: the end of piped input exits 1. */
  private someUnanswered = false;
  /** The input file ended and its last turn is answered or asked for (FileEndPadding): no audio will come any more. */
  private inputFileDone = false;
  private finished: ((code: number) => void) | undefined;
  private exitCode: number | undefined;
  /** Whether the connection was down when the run ended (set then): why a line was not taken in. */
  private connectionDownAtEnd: boolean | undefined;

  constructor(
    private readonly options: ChatOptions,
    private readonly io: ChatIo,
    private readonly logger: RedactingLogger,
    private readonly session: RealtimeSession,
    private readonly audio: AudioSetup,
    private readonly settings: RunSettings,
    resources: ResourceStack,
  ) {
    const rate = sampleRateOf(options.audioFormat);
    this.ui = resources.defer('terminal', openTerminal({
      io, logger, options, offline: settings.offline, Ui: settings.terminalUi, microphone: audio.source !== undefined,
      handlers: {
        toggleMute: () => this.mic.toggleMute(),
        pushToTalk: () => this.mic.togglePushToTalk(),
        interrupt: () => this.interrupt(),
        sendText: (text) => this.session.sendText(text),
        quit: () => (io.requestStop ? io.requestStop() : this.end(0, { drain: false })),
      },
    }), (ui) => closeTerminal(ui, logger, io));
    this.output = resources.defer('output', new RunOutput({ stdout: io.stdout, stderr: io.stderr, logger, ui: this.ui, json: options.json }), (o) => o.printer.finish());
    this.spend = resources.defer('budget', new SpendWatch({
      model: () => session.state.session?.model ?? options.model,
      prices: settings.prices, free: settings.offline, maxCostUsd: options.maxCost, maxMinutes: options.maxMinutes,
      logger, onLimit: () => this.onBudgetLimit(),
    }), (spend) => spend.stop());
    this.recorder = options.record
      ? resources.defer('recording', recordSession(session, { dir: options.record, sampleRate: rate, model: options.model, secrets: [...settings.secrets], ...(settings.prices ? { prices: settings.prices } : {}), free: settings.offline, protocol: options.protocol }, logger), (r) => closeRecording(r, session))
      : undefined;
    this.echoGuard = inProcessEchoGuard(audio, logger, this.ui);
    this.mic = new MicControl({
      session, logger, ui: this.ui, pushToTalk: this.ui !== undefined && options.vad === 'none', halfDuplex: halfDuplexOf(audio, this.echoGuard),
      loopPossible: audio.speaker !== undefined && audio.source !== undefined && options.input === undefined,
      interrupt: () => this.interrupt(), flushCapture: () => this.bridge.flushCapture(),
    });
    this.bridge = resources.defer('audio', this.createBridge(rate), (bridge) => bridge.close());
    this.padding = options.input ? new FileEndPadding(session, (pcm) => this.bridge.sendPcm(pcm), rate, options.vad !== 'none', () => this.onInputFileDone()) : undefined;
    const attached = settings.tools ? runTools(session, settings.tools, options, { logger, ...(this.ui ? { ask: this.ui.ask.bind(this.ui) } : {}) }) : undefined;
    if (attached) resources.defer('tool calls', attached, (tools) => tools.detach());
    this.live = options.protocol === 'live' ? this.createLiveNotes() : undefined;
    this.bargeIn = audio.speaker ? new BargeIn(session, audio.speaker, (itemId) => this.bridge.interrupt(itemId), (cut) => this.onInterrupted(cut)) : undefined;
  }

  start(sessionConfig: SessionConfig): Promise<number> {
    const done = new Promise<number>((resolve) => { this.finished = resolve; });
    this.session.on('server-event', (event) => this.onServerEvent(event));
    this.session.on('response-finished', (response, owner, answersRequest) => this.onResponseFinished(response, owner, answersRequest));
    this.session.on('response-rejected', (error) => this.onRequestRejected(error));
    this.session.on('answer-requested', (pending) => this.ui?.dispatch({ type: 'answer-requested', pending }));
    this.session.on('reply-given-up', () => this.onReplyGivenUp());
    this.session.on('answer-overdue', (waitedMs) => this.onAnswerOverdue(waitedMs));
    this.session.on('answer-stalled', (silentMs) => this.onAnswerStalled(silentMs));
    this.session.on('asking-again', (waitMs) => this.logger.log('info', `asking for the answer again in ${(waitMs / 1000).toFixed(1)} s (rate limited)`));
    // Said as the new connection gets them, before any of its events can arrive (several may come in one read).
    this.session.on('reconnected', (items) => this.output.expectRestoredEchoes(items));
    this.session.on('malformed', (reason) => this.output.malformed(reason));
    this.session.on('close', (code, reason) => this.onSocketClosed(code, reason));
    this.hello = new SessionHelloWatch(this.session, (failure) => this.noSession(failure), this.options.connectTimeout);
    if (this.options.protocol !== 'live') this.turnAnswer = new TurnAnswerWatch(this.session, (waitedMs) => this.onTurnAnswerOverdue(waitedMs));
    this.settings.timers?.on('fired', (timer) => this.onTimerFired(timer));
    this.io.stop?.addEventListener('abort', () => this.end(0, { drain: false }), { once: true });
    const speaker = this.audio.speaker;
    this.keeper = new ConnectionKeeper({
      session: this.session, logger: this.logger, ui: this.ui, sessionConfig, connect: this.settings.connect,
      reconnect: this.options.reconnect, reconnectTimeoutSeconds: this.options.reconnectTimeout, renewAfterMinutes: this.options.renewAfterMinutes,
      quiet: () => !this.session.responsesOutstanding && !this.turnAnswer?.owed && !this.session.state.userSpeaking && !speaker?.audible,
    });
    this.session.updateSession(sessionConfig);
    this.ui?.dispatch({ type: 'connected' });
    this.bridge.start();
    if (this.options.text !== undefined) this.session.sendText(this.options.text);
    // A WAV piped in with --input - is the audio: standard input has no typed lines then.
    if (this.options.input === STANDARD_INPUT) this.stdinClosed = true;
    else if (!this.ui) this.readTypedLines();
    if (this.ui && this.audio.speaker) showAudible(this.ui, this.audio.speaker, () => this.exitCode !== undefined);
    return done;
  }

  /**
   * The typed lines the server never took in, one line each. Asked once the connection is
   * closed: a line sent just before the end may still be confirmed (and shown as said) until
   * then, and is not reported as unconfirmed too.
   */
  unsentLines(): string[] {
    if (this.connectionDownAtEnd === undefined) return [];
    return this.session.unsentUserTextsWith(this.connectionDownAtEnd).map(({ text, why }) => `${this.unsentWords(why)}: ${JSON.stringify(text)}`);
  }

  /** What to print once everything is closed. */
  summary(): string[] {
    return summaryLines({
      state: this.session.state, userTurns: this.output.userTurns, elapsedMs: Date.now() - this.startedAt, cost: this.spend.describeTotal(),
      droppedAudioChunks: this.session.droppedAudioChunks, output: this.options.output, record: this.options.record,
      perMinute: this.live !== undefined,
    });
  }

  private onServerEvent(event: ServerEvent): void {
    this.live?.onServerEvent(event);
    const fatal = this.output.serverEvent(event, this.session.state, (id) => this.session.responseOwner(id));
    this.mic.checkForLoop(event);
    if (fatal) this.end(1, { drain: false });
  }

  /** Every response costs; only kaiwa's own (or the conversation's) can be the answer that ends a run. */
  private onResponseFinished(response: Response, owner: ResponseOwner, answersRequest: boolean): void {
    const tokens = tokensOfUsage(response.usage);
    // GPT-Live bills session time, not responses: its usage has its own line (LiveSessionNotes).
    const costText = this.live ? undefined : this.spend.addResponse(tokens);
    const totals = this.session.state.tokens;
    const total = this.spend.totalUsd;
    if (!this.live) this.ui?.dispatch({ type: 'usage', tokensIn: inputTotal(totals), tokensOut: outputTotal(totals), ...(total !== undefined ? { costUsd: total } : {}) });
    this.output.responseDone(response, owner, tokens, costText);
    if (owner === 'foreign') return;
    // It failed for a rate limit and is asked for again: not the end of anything yet.
    if (this.session.waitingToAskAgain) return;
    const status = (response.status ?? 'completed') as ResponseStatus;
    const calledTools = (response.output ?? []).some((item) => item.type === 'function_call');
    const finished = { status, answersRequest, toolsWillAnswer: this.settings.tools !== undefined && status === 'completed' && calledTools };
    this.considerExit(finished, { unanswered: answersRequest && status === 'failed' });
  }

  private createLiveNotes(): LiveSessionNotes {
    return new LiveSessionNotes({
      model: () => this.session.state.session?.model ?? this.options.model,
      logger: this.logger, free: this.settings.offline,
      onCost: (usd) => this.spend.setSessionCost(usd),
      onUsage: (seconds, usd) => this.ui?.dispatch({ type: 'session-time', seconds, ...(usd !== undefined ? { costUsd: usd } : {}) }),
      aside: (text) => (this.ui ? this.ui.aside(text) : this.logger.log('info', text)),
    });
  }

  private onRequestRejected(error: ProtocolError): void {
    this.logger.log('error', `the server refused kaiwa's request for a response: ${error.message || error.code || error.type}`);
    this.considerExit(undefined, { unanswered: true });
  }

  private onAnswerOverdue(waitedMs: number): void {
    this.giveUpOrWait(`the server has said nothing of kaiwa's request for an answer in ${Math.round(waitedMs / 1000)} s (no response.created, no error)`);
  }

  private onTurnAnswerOverdue(waitedMs: number): void {
    this.giveUpOrWait(`the server has not begun the answer to the user's last turn in ${Math.round(waitedMs / 1000)} s (no response.created)`);
  }

  private onAnswerStalled(silentMs: number): void {
    this.giveUpOrWait(`the server has said nothing in ${Math.round(silentMs / 1000)} s in the middle of its answer (no delta, no response.done)`);
  }

  /** A stuck server: a person is told and may go on waiting; a script (--once, piped input) is not left hanging. */
  private giveUpOrWait(silence: string): void {
    if (this.options.once || !this.io.stdin.isTTY) {
      this.logger.log('error', `${silence}; giving up`);
      this.someUnanswered = true;
      return this.end(EXIT_UNANSWERED, { drain: false });
    }
    this.logger.log('warn', `${silence}; still waiting (Esc interrupts, Ctrl-C quits)`);
  }

  private onReplyGivenUp(): void {
    this.logger.log('error', 'the answer was cut off by a lost connection again, so kaiwa does not ask for it a third time; ask again to retry');
    this.considerExit(undefined, { unanswered: true });
  }

  /** Asks the exit decision at a quiet point, and follows it. */
  private considerExit(finished?: RunSituation['finished'], events: { unanswered?: boolean } = {}): void {
    if (events.unanswered) this.someUnanswered = true;
    const decision = decideExit({
      ...(finished ? { finished } : {}),
      ...events,
      once: this.options.once,
      stdinClosed: this.stdinClosed,
      inputRefused: this.inputRefused,
      someUnanswered: this.someUnanswered,
      budgetStopped: this.spend.stopped,
      inputEnded: !this.audio.source || this.inputFileDone,
      responseInFlight: this.session.responsesOutstanding,
      turnAnswerOwed: this.turnAnswer?.owed ?? false,
    });
    if (decision.exit) this.end(decision.code);
  }

  /** Nothing more will come of the input file: the run ends once what it asked is answered. */
  private onInputFileDone(): void {
    this.inputFileDone = true;
    if (this.turnAnswer?.owed) this.logger.log('debug', 'the input has ended; waiting for the answer to the last turn');
    this.considerExit();
  }

  /**
   * At the limit: no more audio goes out, and no typed line still waiting is asked about;
   * the response under way may finish (with the answer to its tools), then the session ends.
   * With --once the one answer asked for still comes.
   */
  private onBudgetLimit(): void {
    this.bridge.stopCapturing();
    if (!this.options.once) this.session.limitAsking('tool answers');
    this.considerExit();
  }

  private unsentWords(why: UnsentReason): string {
    return why === 'turn never came' && this.spend.stopped ? 'not sent (--max-cost or --max-minutes was reached)' : UNSENT_WORDS[why];
  }

  private onSocketClosed(code: number, reason: string): void {
    if (this.exitCode !== undefined || this.session.closing) return;
    if (this.hello && !this.hello.sessionBegun) return this.noSession(this.hello.closedBeforeHello(code, reason));
    this.audio.speaker?.clear();
    this.output.connectionLost();
    void this.keeper?.connectionLost(code, reason).then((goesOn) => { if (!goesOn) this.end(1); });
  }

  /** The first connection never became a session: not a connection to keep, nor to wait on. */
  private noSession(failure: HelloFailure): void {
    if (this.exitCode !== undefined) return;
    this.logger.log('error', helloFailureMessage(failure));
    this.ui?.dispatch({ type: 'connection-ended' });
    this.end(1);
  }

  /** A timer the model set has run out: say so here, and let the assistant say it out loud. */
  private onTimerFired(timer: TimerInfo): void {
    this.logger.log('info', own`⏰ timer "${timer.label}" (${timer.seconds} s) is up`);
    if (this.exitCode !== undefined) return;
    this.session.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'system', content: [{ type: 'input_text', text: `The timer "${timer.label}" set for ${timer.seconds} seconds has just finished. Tell the user.` }] },
    });
    this.session.createResponse();
  }

  private interrupt(): void {
    if (this.bargeIn) this.bargeIn.interrupt();
    else this.session.cancelResponse();
  }

  private onInterrupted(cut: Interruption): void {
    this.recorder?.interruptAssistant();
    this.output.printer.interrupted(cut.itemId, cut.heardMs);
    this.logger.log('debug', `interrupted ${cut.itemId} after ${cut.heardMs} ms (${cut.action})`);
  }

  private onDeviceError(error: Error, device: 'input' | 'output'): void {
    this.logger.log('warn', errorMessage(error));
    // Without a speaker the conversation goes on (the replies are printed); without a microphone, only if typing is possible.
    const microphoneLost = device === 'input' && !this.options.input && this.audio.source !== undefined;
    if (microphoneLost && !this.io.stdin.isTTY && this.options.text === undefined) this.end(1);
  }

  private readTypedLines(): void {
    const lines = new ByteLines(this.io.stdin);
    let sentAny = false;
    lines.on('line', (bytes, number) => {
      if (this.exitCode !== undefined) return;
      const line = readTypedLine(bytes, number === 1);
      if ('refused' in line) {
        this.logger.log('error', typedLineRefusal(line.refused, number, sentAny));
        // The lines sent before it are answered first: their answers are what the user piped them for.
        if (sentAny) this.inputRefused = true;
        else this.end(EXIT_USAGE);
        return lines.close();
      }
      const text = line.text.trim();
      if (!text) return;
      this.session.sendText(text);
      sentAny = true;
    });
    lines.on('close', () => {
      this.stdinClosed = true;
      this.considerExit();
    });
  }

  /**
   * Ends the run once: capture stops at once; the speaker finishes what it has (drain)
   * or is silenced (the user asked to quit). Closing the rest is the resource stack's job.
   */
  private end(code: number, options: { drain: boolean } = { drain: true }): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    // Called from the event that ends it (a fatal error): before the session would send the next line.
    this.session.limitAsking('none');
    this.connectionDownAtEnd = !this.session.isOpen;
    this.keeper?.stop();
    this.hello?.stop();
    this.turnAnswer?.stop();
    this.padding?.stop();
    this.bridge.stopCapturing();
    if (!options.drain) {
      this.audio.speaker?.clear();
      this.recorder?.interruptAssistant();
    }
    this.finished?.(code);
  }

  /**
   * Once the first append has gone (not before: building the canceller takes 5-10 ms, and
   * the microphone's first block may come meanwhile), the canceller is built before the
   * next chunk arrives.
   */
  private prepareEchoGuard(): void {
    if (!this.echoGuard || this.echoGuardPrepared) return;
    this.echoGuardPrepared = true;
    setImmediate(() => this.echoGuard?.prepare());
  }

  private createBridge(rate: number): AudioBridge {
    const { audio, session } = this;
    return new AudioBridge({
      session,
      codec: wireCodecFor(this.options.audioFormat),
      source: audio.source,
      speaker: audio.speaker,
      sinks: audio.sinks,
      gate: (captured) => this.mic.gate.isOpen(captured),
      // Someone else's response is not the assistant talking to the user.
      plays: (responseId) => this.session.responseOwner(responseId) !== 'foreign',
      ...echoFilterOf(audio, this.echoGuard),
      onCaptured: (pcm, sent) => {
        if (sent) this.mic.recordSent(bytesToMs(pcm.length, rate));
        this.ui?.dispatch({ type: 'level', dbfs: rmsDbfs(pcm) });
      },
      onAssistantAudio: (delta, pcm) => this.recorder?.assistantAudio(delta, pcm),
      onSent: (pcm, sent) => {
        this.recorder?.userAudio(pcm, sent);
        this.prepareEchoGuard();
      },
      onSourceEnd: () => this.padding?.start(),
      onDeviceError: (error, device) => this.onDeviceError(error, device),
      onDeviceRestart: (reason) => this.logger.log('warn', `${reason}; restarted it, the conversation goes on`),
    });
  }
}
