import type { EventEmitter } from 'node:events';
import { AcousticEchoCanceller, type EchoCancellerStatus } from '../audio/acoustic-echo-canceller.js';
import { PlaybackTape } from '../audio/playback-tape.js';
import { hostOrderToLittleEndian, int16View } from '../audio/pcm16.js';
import { Pcm16Slab } from '../audio/pcm16-slab.js';
import { CaptureClock } from './capture-clock.js';
import { EchoHoldWatch } from './echo-hold-watch.js';
import { PlaybackLatencyWatch, type LatencyRestart } from './playback-latency-watch.js';

/** The speaker as the guard sees it: what it plays and when, and whether it sounds. */
export interface PlayingSpeaker extends EventEmitter {
  readonly format: { sampleRate: number };
  readonly audible: boolean;
  /** Restarts the output device if nothing plays or is queued (see PacedPlayer); false if it did not. */
  restartDevice?(): boolean;
  /** Keeps silence in the device between replies, or stops (see PacedPlayer keepFedMs). */
  keepFed?(on: boolean): void;
  /** The process is awake for a microphone chunk; the next is due in `untilNextMs` (see PacedPlayer). */
  topUpSilence?(untilNextMs: number): void;
}

export interface InProcessEchoGuardOptions {
  now?: () => number;
  /** The canceller held or stopped holding: half-duplex true while it does not. */
  onChange?: (halfDuplex: boolean, status: Readonly<EchoCancellerStatus>) => void;
  /** The player was restarted between replies because the echo path's delay had grown (its latency). */
  onLatencyRestart?: (restart: LatencyRestart) => void;
  /** The canceller first holds the echo down, `afterMs` after the speaker first sounded. */
  onConverged?: (afterMs: number, status: Readonly<EchoCancellerStatus>) => void;
  /**
   * Longest delay searched, kaiwa's own buffers included (what it hands the device but
   * has not yet sounded, what the recorder holds): a 600 ms path plus ~100 ms of them.
   */
  maxDelayMs?: number;
  /** Makes the canceller (tests see when); by default an AcousticEchoCanceller for this rate and delay. */
  createCanceller?: (sampleRate: number, maxDelayMs: number) => AcousticEchoCanceller;
  /**
   * Sees every pair handed to the canceller (diagnostics: KAIWA_ECHO_DUMP), with the time
   * the chunk arrived and the time on the speaker's timeline its first sample was placed at.
   */
  tap?: EchoGuardTap;
}

/**
 * What the canceller was given, pair by pair, and what the speaker announced. The arrays
 * are lent for the call only (views over the chunk, a reused scratch): copy what is kept.
 */
export interface EchoGuardTap {
  captured(mic: Int16Array, reference: Int16Array, cleaned: Int16Array, arrivedAt: number, heardAt: number): void;
  sounding(samples: number, startsAt: number, at: number): void;
  cleared(from: number, at: number): void;
  underrun?(from: number, at: number): void;
}

/**
 * Echo cancellation inside kaiwa, with the sound server out of it: every sample the
 * speaker plays is recorded on a tape at the moment it sounds; every captured chunk is
 * placed on the same clock and cancelled against what the tape says sounded then. While
 * the canceller does not hold, the watch asks for half-duplex (see EchoHoldWatch).
 */
export class InProcessEchoGuard {
  private built: AcousticEchoCanceller | undefined;
  private readonly tape: PlaybackTape;
  private readonly clock: CaptureClock;
  private readonly watch = new EchoHoldWatch();
  private readonly latency = new PlaybackLatencyWatch();
  private readonly now: () => number;
  private readonly rate: number;
  private firstSound: number | undefined;
  private convergedOnce = false;
  /** The speaker was cleared (its timeline restarted) and has played nothing since. */
  private clearedSince = false;
  /** The speaker is asked to keep silence between replies (the echo path is known). */
  private keptFed = false;
  /** What the tape says sounded as each chunk was heard: one array reused, not one per chunk. */
  private reference = new Int16Array(0);
  /** Where the cleaned chunks are written: they are queued and sent later, so each keeps its own memory. */
  private readonly cleanedChunks = new Pcm16Slab();

  constructor(private readonly speaker: PlayingSpeaker, private readonly options: InProcessEchoGuardOptions = {}) {
    this.rate = speaker.format.sampleRate;
    this.now = options.now ?? (() => performance.now());
    this.tape = new PlaybackTape(this.rate);
    this.clock = new CaptureClock(this.rate);
    // Until an echo path is found there is no timeline to keep whole between replies.
    speaker.keepFed?.(false);
    speaker.on('sounding', (pcm: Buffer, startsAt: number) => {
      this.firstSound ??= startsAt;
      if (this.clearedSince) this.canceller.timelineBroken();
      this.clearedSince = false;
      this.tape.record(int16View(pcm), startsAt);
      options.tap?.sounding(pcm.length / 2, startsAt, this.now());
    });
    speaker.on('cleared', (from: number) => {
      this.tape.cut(from);
      options.tap?.cleared(from, this.now());
      // Clearing restarts the output device: its new timeline starts an unknown time later.
      // What sounded before it still echoes where the canceller has it, while the user who
      // interrupted goes on talking; the delay is searched again once the next reply sounds.
      this.clearedSince = true;
    });
    // So does a device that died and was replaced.
    speaker.on('restart', () => this.canceller.timelineBroken());
    // A device that may have run dry for a moment: the canceller is warned before the echo of the step arrives.
    speaker.on('underrun', ({ from }: { from: number }) => {
      options.tap?.underrun?.(from, this.now());
      const next = this.clock.next;
      this.canceller.timelineSuspect(next === undefined ? 0 : Math.round(((from - next) * this.rate) / 1000));
    });
  }

  /**
   * The canceller, built when first needed or when prepare() is called: building it takes
   * 10-25 ms, and nothing needs it for the session's first append (audio recorded before
   * the session was ready is sent as it was: nothing played then).
   */
  get canceller(): AcousticEchoCanceller {
    const maxDelayMs = this.options.maxDelayMs ?? 700;
    this.built ??= this.options.createCanceller?.(this.rate, maxDelayMs) ?? new AcousticEchoCanceller(this.rate, { maxDelayMs });
    return this.built;
  }

  /** Builds the canceller now (call when nothing waits), so the first live chunk does not pay for it. */
  prepare(): void {
    void this.canceller;
  }

  /** True while the microphone should be closed as the assistant speaks. */
  get halfDuplex(): boolean {
    return this.watch.halfDuplex;
  }

  get status(): Readonly<EchoCancellerStatus> {
    return this.canceller.status;
  }

  /** The captured chunk with the assistant's echo removed (same length). */
  filter(pcm: Buffer): Buffer {
    const canceller = this.canceller;
    const mic = int16View(pcm);
    const arrivedAt = this.now();
    const heardAt = this.clock.place(mic.length, arrivedAt);
    const reference = this.tape.readLent(heardAt, this.referenceScratch(mic.length));
    // Taken at an even offset (Pcm16Slab): the canceller writes straight into the chunk sent.
    const out = this.cleanedChunks.take(mic.length);
    const cleaned = canceller.process(mic, reference, new Int16Array(out.buffer, out.byteOffset, mic.length));
    this.options.tap?.captured(mic, reference, cleaned, arrivedAt, heardAt);
    const status = canceller.status;
    const change = this.watch.update((mic.length * 1000) / this.rate, this.speaker.audible, status);
    if (change) this.options.onChange?.(change === 'half-duplex', status);
    this.boundLatency(arrivedAt, status);
    this.keepTimelineWhileLocked(status);
    if (this.keptFed) this.speaker.topUpSilence?.((mic.length * 1000) / this.rate);
    if (!this.convergedOnce && status.holding) {
      this.convergedOnce = true;
      this.options.onConverged?.(this.now() - (this.firstSound ?? this.now()), status);
    }
    return hostOrderToLittleEndian(out);
  }

  /** The reused reference array, `samples` long (grown when a longer chunk comes). */
  private referenceScratch(samples: number): Int16Array {
    if (this.reference.length < samples) this.reference = new Int16Array(samples);
    return this.reference.length === samples ? this.reference : this.reference.subarray(0, samples);
  }

  /**
   * The canceller's alignment holds only while the speaker's timeline goes on unbroken,
   * so with a delay found the speaker is kept fed between replies (topped up as each chunk
   * comes); without one (no echo reaches the microphone: headphones) that buys nothing.
   */
  private keepTimelineWhileLocked(status: Readonly<EchoCancellerStatus>): void {
    const locked = status.delayMs !== undefined;
    if (locked === this.keptFed) return;
    this.keptFed = locked;
    this.speaker.keepFed?.(locked);
  }

  /**
   * A speaker whose latency grew (the delay found moved well past its first lock) is
   * restarted in the silence between replies; its 'cleared' tells the canceller that the
   * timeline starts over, so the delay is searched again at the next reply.
   */
  private boundLatency(now: number, status: Readonly<EchoCancellerStatus>): void {
    const restart = this.latency.update(now, status.delayMs, this.speaker.audible);
    if (!restart || !this.speaker.restartDevice?.()) return;
    this.latency.restarted();
    this.options.onLatencyRestart?.(restart);
  }
}
