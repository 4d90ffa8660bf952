import type { AudioSink, AudioSource, PcmFormat } from '../audio/devices.js';
import { SoxPlayer, SoxRecorder } from '../audio/sox.js';
import { PacedPlayer } from '../audio/paced-player.js';
import { RestartingSource } from '../audio/restarting-source.js';
import { HeldSource } from '../audio/held-source.js';
import type { Logger } from '../logger.js';
import { HeldLogger } from '../held-logger.js';
import type { ChatOptions } from './chat-options.js';
import { chooseEchoGuard, type EchoGuard, type PulseEchoGuard } from './echo-guard.js';
import { discardEarlySox } from '../audio/early-sox.js';
import { moveStream } from '../audio/pulse-stream-move.js';
import { openInputSource, type InputStream } from './input-source.js';

/**
 * What the sound server adds between SoX and the speaker. With SoX's 20 ms blocks and
 * PULSE_LATENCY_MSEC=40, the barge-in test measures the heard audio within ~10-30 ms of
 * the write timeline on PulseAudio. KAIWA_OUTPUT_LATENCY_MS tunes it for other setups
 * (Bluetooth adds far more), so a truncation matches what was really heard.
 */
function outputLatencyMs(): number {
  const configured = Number(process.env['KAIWA_OUTPUT_LATENCY_MS']);
  return Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_OUTPUT_LATENCY_MS;
}

const DEFAULT_OUTPUT_LATENCY_MS = 20;
/** The playback lead while a reply that arrived faster than real time waits (PacedPlayer burstLeadMs). */
const BURST_LEAD_MS = 1000;
/** Silence kept in the speaker between replies once kaiwa's canceller found the echo (see PacedPlayer keepFedMs), topped up as each microphone chunk comes. */
const KEEP_FED_MS = 60;
/**
 * A device that cannot be opened (no sound card, no sound server) makes SoX fail within
 * ~60 ms of its start (counted from SoX's start, which may have been the entry point's);
 * a working microphone proves itself with its first block (120-260 ms). The speaker is
 * checked so only when there is no microphone (with one, it starts later: see startDevices).
 */
const PLAYER_OPEN_MS = 150;
const MICROPHONE_OPEN_MS = 1000;
/** SoX's block and PulseAudio's 40 ms buffer still play while a refill comes this late. */
const DEVICE_BUFFER_MS = 30;

export interface AudioSetup {
  source?: AudioSource;
  speaker?: PacedPlayer;
  /** Output files. */
  sinks: AudioSink[];
  /** True when SoX or a sound device is missing and kaiwa carries on with typed input only. */
  textFallback: boolean;
  echoGuard: EchoGuard;
}

/** A typed one-shot (`--text … --once`) ends with its answer: nobody gets to speak, so no microphone is opened. */
export function listensForVoice(options: Pick<ChatOptions, 'mic' | 'once' | 'text'>): boolean {
  return options.mic && !(options.once && options.text !== undefined);
}

/**
 * Chooses where audio comes from and goes to. A bad input file fails here, before
 * connecting (and paying for) a session; a missing SoX degrades to typed text. The
 * microphone records from here on (see HeldSource), so call this before connecting.
 */
export function setUpAudio(options: ChatOptions, format: PcmFormat, logger: Logger, stdin: InputStream = process.stdin, outputs: AudioSink[] = []): Promise<AudioSetup> {
  // The files first, and at once (a bad one throws here, before the caller connects; a bad
  // WAV on standard input rejects once its first bytes show it, still before the session).
  // The output files (`outputs`, --output) were opened by the caller, which removes them if no session begins.
  const input = options.input ? openInputSource(options.input, format, stdin) : undefined;
  return Promise.resolve(input).then((source) => startDevices(options, format, logger, { ...(source ? { source } : {}), sinks: outputs }));
}

async function startDevices(options: ChatOptions, format: PcmFormat, logger: Logger, files: { source?: AudioSource; sinks: AudioSink[] }): Promise<AudioSetup> {
  // The caller connects next: the connection's first steps go first (starting pactl and
  // SoX holds the event loop for ~10 ms each), the devices start right after.
  await Promise.resolve();
  const { source, sinks } = files;
  // Text answers carry no audio: a speaker would only be a device to fail on.
  const wantsSpeaker = options.speaker && options.modalities !== 'text';
  const wantsMic = !source && listensForVoice(options);
  const off: EchoGuard = { mode: 'off' };
  if (!wantsMic && !wantsSpeaker) {
    discardEarlySox();
    return { ...(source ? { source } : {}), sinks, textFallback: false, echoGuard: off };
  }
  // What the echo guard says waits until SoX is known to run: without SoX, that is all that is said.
  const echoNotes = new HeldLogger(logger);
  const recording = wantsMic ? new MicrophoneRecording(format) : undefined;
  // The devices start on the default source and sink (the microphone often started already,
  // by the entry point: see early-sox.ts). PulseAudio's canceller loads once the session has
  // the microphone's first audio (its pactl processes would hold up the start), and the
  // devices move onto it then; the speaker plays nothing before.
  const echoGuard = chooseEchoGuard(options.headphones ? 'off' : options.echoGuard, wantsMic && wantsSpeaker, echoNotes, recording?.microphone.released);
  const microphone = recording?.microphone;
  // With a microphone, the speaker's SoX starts once the microphone's first append has gone
  // (or a reply comes first: the player starts SoX for it at once): started beside the
  // microphone's, its start-up slowed that first append (20-45 ms, side by side). The microphone's SoX tells
  // whether SoX and a sound device are there; a speaker that fails to open after all is one
  // warning line, and the conversation goes on (see ChatRun's onDeviceError).
  let startSpeaker: (when: Promise<unknown>) => void = () => undefined;
  const speakerMayStart = new Promise<unknown>((resolve) => { startSpeaker = (when) => void when.then(resolve, resolve); });
  const player = wantsSpeaker ? new SoxPlayer(format, { warm: true, ...(microphone ? { warmAfter: speakerMayStart } : {}) }) : undefined;
  const checkedPlayer = microphone ? undefined : player;
  // SoX's own start says whether it is installed: no `sox --version` run before it.
  const starting = Promise.all([microphone?.started(), checkedPlayer?.started()]);
  // Listening at once: a speaker's SoX started early may have failed already, and says so as soon as it is taken over.
  const playerOpen = checkedPlayer ? playerOpenFailure(checkedPlayer) : undefined;
  // The microphone has taken over the SoX it asked for, if it was started early; any other is not wanted.
  discardEarlySox();
  const failure = (await starting).find((error) => error !== undefined)
    ?? (await Promise.all([microphone?.firstWord(MICROPHONE_OPEN_MS), playerOpen])).find((error) => error !== undefined);
  if (failure) {
    await Promise.all([microphone?.stop(), player?.close(), echoGuard.mode === 'pulse' ? echoGuard.unload() : undefined]);
    logger.log('warn', failure.message);
    return { ...(source ? { source } : {}), sinks, textFallback: !source, echoGuard: off };
  }
  echoNotes.release();
  if (recording?.startedEarly) logger.log('debug', 'the microphone has recorded since launch (SoX started by the entry point)');
  const routed = echoGuard.mode === 'pulse' ? routeOntoCanceller(echoGuard, recording, player, logger) : undefined;
  if (routed) player?.holdUntil(routed);
  // With PulseAudio's canceller, straight onto its sink (nothing plays before it is there anyway).
  if (microphone) startSpeaker(routed ?? microphone.handedOn);
  const speaker = player
    ? new PacedPlayer(
      player,
      // The service often sends a whole reply in a few hundred ms: while one waits, topping
      // SoX up to a second at a time costs 2 wake-ups a second instead of 13 (clear() kills SoX).
      // kaiwa's own echo canceller needs the speaker's timeline unbroken between replies (kept
      // fed with silence). A barge-in does restart SoX: the speaker stops at once, and the
      // canceller, told the timeline broke, finds the delay again on the next reply as on the
      // first (letting the device play out its lead instead kept it sounding 190-200 ms).
      {
        leadMs: options.playbackLeadMs, outputLatencyMs: outputLatencyMs(), burstLeadMs: BURST_LEAD_MS,
        ...(echoGuard.mode === 'in-process' ? { keepFedMs: KEEP_FED_MS, deviceBufferMs: DEVICE_BUFFER_MS } : {}),
      },
    )
    : undefined;
  // The timeline of what sounded (truncation, barge-in) must start when the speaker really
  // plays: held in SoX alone, audio written meanwhile counted from the write (114-175 ms off).
  // (A SoX not yet open holds the paced player the same way: see SoxPlayer.untilOpen.)
  if (routed) speaker?.holdUntil(routed);
  const input = source ?? microphone;
  return { ...(input ? { source: input } : {}), ...(speaker ? { speaker } : {}), sinks, textFallback: false, echoGuard };
}

/**
 * The microphone as kaiwa records it: SoX, restarted if it dies, held until the session is
 * there; from the default source, or from the one it was moved to.
 */
class MicrophoneRecording {
  readonly microphone: HeldSource;
  private readonly restarting: RestartingSource;
  private current: SoxRecorder | undefined;
  private pulseDevice: string | undefined;

  constructor(format: PcmFormat) {
    this.restarting = new RestartingSource(() => (this.current = new SoxRecorder(format, this.pulseDevice ? { pulseDevice: this.pulseDevice } : {})));
    this.microphone = new HeldSource(this.restarting);
  }

  get startedEarly(): boolean {
    return this.current?.startedEarly ?? false;
  }

  /**
   * Records from this PulseAudio source from now on, without a gap: SoX's stream is moved
   * there; if the sound server will not move it, a new SoX records from it instead.
   */
  async moveTo(pulseDevice: string): Promise<'moved' | 'restarted'> {
    this.pulseDevice = pulseDevice;
    const pid = this.current?.pid;
    try {
      if (pid === undefined) throw new Error('SoX is not running');
      await moveStream('recording', pid, pulseDevice);
      return 'moved';
    } catch {
      this.restarting.replace();
      return 'restarted';
    }
  }
}

/**
 * Puts the microphone and the speaker onto PulseAudio's echo canceller once it is loaded.
 * The speaker plays nothing until this is done (holdUntil): nothing has been played before,
 * so what was recorded until now holds no echo. Done once the session has the microphone's
 * first audio: each process started (pactl, SoX) holds the event loop for 10-20 ms, and
 * the conversation's start should not wait for them.
 */
async function routeOntoCanceller(guard: PulseEchoGuard, recording: MicrophoneRecording | undefined, player: SoxPlayer | undefined, logger: Logger): Promise<void> {
  const devices = await guard.loaded;
  if (!devices) return;
  await Promise.all([
    player && movePlayer(player, devices.sink),
    recording?.moveTo(devices.source).then((how) => logger.log('debug', how === 'moved'
      ? 'recording moved onto the echo canceller'
      : 'recording restarted on the echo canceller (the sound server would not move it)')),
  ]);
}

/** The speaker's SoX (idle: nothing has played yet) moved onto the canceller's sink, or else replaced by one there. */
async function movePlayer(player: SoxPlayer, sink: string): Promise<void> {
  const pid = player.pid;
  player.routeTo(sink);
  const moved = pid !== undefined && await moveStream('playback', pid, sink).then(() => true, () => false);
  // (A SoX started meanwhile plays there already.)
  if (!moved && player.pid === pid) player.routeTo(sink, { restartIdle: true });
}

/**
 * A machine without a sound card (a server, a container) runs SoX but cannot open a device:
 * that is found out here, so kaiwa goes on with typed text as without SoX.
 */
function playerOpenFailure(player: SoxPlayer): Promise<Error | undefined> {
  return new Promise<Error | undefined>((resolve) => {
    const failed = (error: Error): void => { clearTimeout(timer); resolve(error); };
    const runningMs = performance.now() - (player.startedAt ?? performance.now());
    const timer = setTimeout(() => { player.off('error', failed); resolve(undefined); }, Math.max(0, PLAYER_OPEN_MS - runningMs));
    player.once('error', failed);
  });
}
