import type { AudioSink, AudioSource, PcmFormat } from '../audio/devices.js';
import { WavFileSource } from '../audio/wav-file-source.js';
import { WavFileSink } from '../audio/wav-file-sink.js';
import { SoxPlayer, SoxRecorder } from '../audio/sox.js';
import { PacedPlayer } from '../audio/paced-player.js';
import { RestartingSource } from '../audio/restarting-source.js';
import { HeldSource } from '../audio/held-source.js';
import type { Logger, LogLevel } from '../logger.js';
import type { ChatOptions } from './chat-options.js';
import { chooseEchoGuard, type EchoGuard } from './echo-guard.js';

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
/** Silence kept in the speaker between replies (see PacedPlayer keepFedMs): wakes the player ~30 times a second. */
const KEEP_FED_MS = 60;
/**
 * A device that cannot be opened (no sound card, no sound server) makes SoX fail within
 * ~60 ms of its start; a working microphone proves itself with its first block (170-260 ms).
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
export function setUpAudio(options: ChatOptions, format: PcmFormat, logger: Logger): Promise<AudioSetup> {
  // The files first, and at once (a bad one throws here, before the caller connects).
  const sinks: AudioSink[] = [];
  const source = options.input ? WavFileSource.open(options.input, format) : undefined;
  if (options.output) sinks.push(new WavFileSink(options.output, format));
  return startDevices(options, format, logger, { ...(source ? { source } : {}), sinks });
}

async function startDevices(options: ChatOptions, format: PcmFormat, logger: Logger, files: { source?: AudioSource; sinks: AudioSink[] }): Promise<AudioSetup> {
  const { source, sinks } = files;
  // Text answers carry no audio: a speaker would only be a device to fail on.
  const wantsSpeaker = options.speaker && options.modalities !== 'text';
  const wantsMic = !source && listensForVoice(options);
  const off: EchoGuard = { mode: 'off' };
  if (!wantsMic && !wantsSpeaker) return { ...(source ? { source } : {}), sinks, textFallback: false, echoGuard: off };
  // What the echo guard says waits until SoX is known to run: without SoX, that is all that is said.
  const echoNotes: Array<[LogLevel, string]> = [];
  const echoGuard = await chooseEchoGuard(options.headphones ? 'off' : options.echoGuard, wantsMic && wantsSpeaker, { log: (level, message) => echoNotes.push([level, message]) });
  const devices = echoGuard.mode === 'pulse' ? echoGuard.devices : undefined;
  const microphone = wantsMic
    ? new HeldSource(new RestartingSource(() => new SoxRecorder(format, devices ? { pulseDevice: devices.source } : {})))
    : undefined;
  const player = wantsSpeaker ? new SoxPlayer(format, { warm: true, ...(devices ? { pulseDevice: devices.sink } : {}) }) : undefined;
  // SoX's own start says whether it is installed: no `sox --version` run before it.
  const failure = (await Promise.all([microphone?.started(), player?.started()])).find((error) => error !== undefined)
    ?? await deviceOpenFailure(microphone, player);
  if (failure) {
    await Promise.all([microphone?.stop(), player?.close(), devices?.unload()]);
    logger.log('warn', failure.message);
    return { ...(source ? { source } : {}), sinks, textFallback: !source, echoGuard: off };
  }
  for (const [level, message] of echoNotes) logger.log(level, message);
  const speaker = player
    ? new PacedPlayer(
      player,
      // The service often sends a whole reply in a few hundred ms: while one waits, topping
      // SoX up to a second at a time costs 2 wake-ups a second instead of 13 (clear() kills SoX).
      // kaiwa's own echo canceller needs the speaker's timeline unbroken between replies.
      // With it, a barge-in lets the lead play out rather than restart SoX (which would move
      // the timeline by an unknown 30-170 ms, measured), and a burst is not sent a second ahead.
      {
        leadMs: options.playbackLeadMs, outputLatencyMs: outputLatencyMs(),
        ...(echoGuard.mode === 'in-process' ? { keepFedMs: KEEP_FED_MS, keepDeviceOnClear: true, deviceBufferMs: DEVICE_BUFFER_MS } : { burstLeadMs: BURST_LEAD_MS }),
      },
    )
    : undefined;
  const input = source ?? microphone;
  return { ...(input ? { source: input } : {}), ...(speaker ? { speaker } : {}), sinks, textFallback: false, echoGuard };
}

/**
 * A machine without a sound card (a server, a container) runs SoX but cannot open a device:
 * that is found out here, so kaiwa goes on with typed text as without SoX.
 */
async function deviceOpenFailure(microphone: HeldSource | undefined, player: SoxPlayer | undefined): Promise<Error | undefined> {
  const playerFailure = player
    ? new Promise<Error | undefined>((resolve) => {
      const failed = (error: Error): void => { clearTimeout(timer); resolve(error); };
      const timer = setTimeout(() => { player.off('error', failed); resolve(undefined); }, PLAYER_OPEN_MS);
      player.once('error', failed);
    })
    : undefined;
  const failures = await Promise.all([microphone?.firstWord(MICROPHONE_OPEN_MS), playerFailure]);
  return failures.find((error) => error !== undefined);
}
