import { BlockEchoFilter } from './block-echo-filter.js';
import { BlockLevels } from './block-levels.js';
import { DelayLine } from './delay-line.js';
import { DoubleTalkDetector, type DoubleTalkBlock } from './double-talk-detector.js';
import { EchoDelayEstimator, type DelayEstimate } from './echo-delay-estimator.js';
import { EchoCoherence } from './echo-coherence.js';
import { EchoDriftTracker } from './echo-drift-tracker.js';
import { EchoPresence } from './echo-presence.js';
import { EchoLossMeter, type EchoLossBlock } from './echo-loss-meter.js';
import { EchoSlipWatch } from './echo-slip-watch.js';
import { NearEndEvidence } from './near-end-evidence.js';
import { HalfRateBands } from './half-rate-bands.js';
import { NoiseFloor } from './noise-floor.js';
import { ResidualEchoSuppressor, type SuppressorBlock } from './residual-echo-suppressor.js';
import { RestBacklog } from './rest-backlog.js';

export interface AcousticEchoCancellerOptions {
  /** Longest echo path delay searched for (default 600 ms). */
  maxDelayMs?: number;
  /** Room reverberation the adaptive filter models after the delay (default 128 ms). */
  tailMs?: number;
  /**
   * Work at half the stream's rate (from 20 kHz on): the low band (below ~5.4 kHz at 24 kHz,
   * where speech and a server's voice detection live) is cancelled, the high band follows
   * it (HalfRateBands). Half the CPU (1.15 % of a core instead of ~2.7 % in the same run),
   * the same attenuation on the synthetic scenes, but double talk keeps 86.9 % of the voice
   * instead of 90.7 %: off until that is understood.
   */
  halfRate?: boolean;
  /**
   * Rest while there is nothing to do (default true; see `nothingToDo`). Off only to compare:
   * the output and the status are the same either way.
   */
  rest?: boolean;
  /** Diagnostics: sees each block's microphone and linear-filter residual (offline analysis), at `processingRate`. */
  onBlock?: (mic: Float64Array, residual: Float64Array) => void;
  /** Diagnostics: what was decided about each block, once it is done (offline analysis). */
  onDecision?: (decision: EchoBlockDecision) => void;
}

/** One block's levels (mean squares, PCM16 units) and verdicts, for diagnostics. */
export interface EchoBlockDecision {
  /** Samples fed up to the end of this block, at `processingRate`. */
  at: number;
  mic: number;
  residual: number;
  output: number;
  /** The far end as its echo arrives (held over the reverberation), times the coupling: the echo expected. */
  expectedEcho: number;
  erleDb: number;
  echoShare: number;
  /** Share of the residual's power the far end's whole echo cannot explain (NearEndEvidence). */
  nearEnd: number;
  talking: boolean;
  locked: boolean;
  filtering: boolean;
  cautious: boolean;
  gated: boolean;
  cut: boolean;
}

export interface EchoCancellerStatus {
  /** The echo path delay found, in ms; undefined while none is. */
  delayMs: number | undefined;
  /** The far end (the assistant) can be heard in the room now. */
  farEndActive: boolean;
  /** The user talks over the echo. */
  doubleTalk: boolean;
  /** The microphone holds sound above its noise while the far end plays, and it is not the user: echo to cancel. */
  echoAudible: boolean;
  /** Echo return loss enhancement of the linear filter (dB). */
  erleDb: number;
  /** All the echo removed, suppression included: what the server is spared (dB). */
  attenuationDb: number;
  /** Speaker-to-microphone coupling (dB; 0 before it was measured). */
  couplingDb: number;
  /** A delay is found and the echo reaching the server is measured down by at least `CONVERGED_DB`. */
  holding: boolean;
  /** Holding, with the linear filter doing a real part of it (not suppression alone). */
  converged: boolean;
}

const NO_SAMPLES = new Int16Array(0);
/** Echo attenuation from which the canceller counts as converged... */
export const CONVERGED_DB = 15;
/** ...provided the linear filter does part of it (a wrong delay leaves it all to suppression). */
const MIN_LINEAR_ERLE_DB = 6;
/** Linear ERLE from which the suppressor trusts what it learnt about the residual. */
const TRUSTED_ERLE_DB = 15;
/** The least stream rate `halfRate` halves. */
const HALF_RATE_FROM = 20000;
/** Far-end time after which a delay whose filter removes nothing is dropped and searched for again. */
const WRONG_DELAY_SECONDS = 3;
/** Mean square (PCM16 units) above which the reference counts as sound: -50 dBFS. */
const ACTIVE_MEAN_SQUARE = 100 * 100;
/** The microphone holds this share of the filter's echo estimate while the estimate fits. */
const MATCH_LOW = 0.6;
const MATCH_HIGH = 1.6;
/** Beyond these it plainly does not fit (a voice over the echo blurs the share, by chance, less). */
const SLIPPED_LOW = 0.15;
const SLIPPED_HIGH = 3;
/**
 * A residual this coherent with the far end is echo the filter failed to remove (it lags
 * the path after a pause, a step): never a voice, however far above the expected residual.
 * Measured: 0.83-0.99 where the live loop's filter removed 2-8 dB, 0.02-0.3 for a voice.
 */
const ECHO_COHERENT = 0.6;
/** A delay estimate this close to the alignment held is drift, left to the drift tracker. */
const REALIGN_MS = 2;
/**
 * A suspected step of the speaker's timeline may also bring the echo earlier than the
 * alignment says (a device that resumes after running dry starts with less in its
 * buffers): caution starts this long before the step's echo is due.
 */
const STEP_EARLY_MS = 100;
/** Estimates agreeing after a suspected step, from its echo on, that end the caution. */
const STEP_AGREEMENTS = 2;
/** Far-end time after a suspected step's echo after which caution ends anyway (the slip watch remains). */
const STEP_MAX_SECONDS = 2;

/**
 * Acoustic echo cancellation on kaiwa's own audio, with no help from the sound server:
 * the microphone and the reference (exactly what was played, sample for sample at the
 * moment it sounded, so the two streams run side by side) go in, the microphone with the
 * assistant's echo removed comes out.
 *
 * 1. The echo path delay (0–600 ms: a sound server's buffers, Bluetooth, HDMI) is found
 *    by GCC-PHAT and the reference is delayed to match (EchoDelayEstimator, DelayLine).
 * 2. A frequency-domain adaptive filter, ≥ 128 ms long, learns the room and subtracts the
 *    echo (BlockEchoFilter).
 * 3. A double-talk detector keeps the user's voice out of the measurements.
 * 4. What is left is suppressed bin by bin, by as much as the measured ERLE says is left
 *    (ResidualEchoSuppressor); before the delay is found, audio no louder than the
 *    loudest recent far end could be echo and is cut whole.
 * 5. ERLE and attenuation are measured as it runs (EchoLossMeter), so whoever uses it can
 *    tell whether it holds.
 *
 * Synchronous and pure: blocks of ~10 ms (a power of two of samples) at `processingRate`
 * (the stream's own rate, or half of it with `halfRate`); `latencySamples` of delay at the
 * stream's rate (two blocks: one to fill, one for the overlapping windows; plus the
 * half-band filters when the rate is halved).
 */
export class AcousticEchoCanceller {
  /** Samples per block, at `processingRate`. */
  readonly blockSize: number;
  /** Output delay, in samples of the stream (`sampleRate`). */
  readonly latencySamples: number;
  /** The rate the canceller works at: `sampleRate`, or half of it. */
  readonly processingRate: number;
  private readonly factor: 1 | 2;
  private readonly bands: HalfRateBands | undefined;
  /** The microphone block whose output is being pushed (the output is a block behind). */
  private readonly outputSource: Float64Array;
  private readonly filter: BlockEchoFilter;
  private readonly estimator: EchoDelayEstimator;
  private readonly line: DelayLine;
  private readonly drift: EchoDriftTracker;
  private readonly previousMic: Float64Array;
  private readonly suppressor: ResidualEchoSuppressor;
  private readonly meter: EchoLossMeter;
  private readonly slip: EchoSlipWatch;
  private readonly noise = new NoiseFloor();
  private readonly doubleTalk = new DoubleTalkDetector();
  private readonly coherence: EchoCoherence;
  private readonly nearEnd: NearEndEvidence;
  private readonly presence: EchoPresence;
  /** Blocks in a row with the far end active. */
  private farEndRun = 0;
  private readonly marginSamples: number;
  /** Reference samples all of which the delay line and the delay search's window read back: zeros this long, and no far end is in reach. */
  private readonly reach: number;
  private readonly onBlock: AcousticEchoCancellerOptions['onBlock'];
  private readonly onDecision: AcousticEchoCancellerOptions['onDecision'];
  /** Samples (fractional) by which the reference is delayed for the filter: the echo path's, less the margin. */
  private bulkDelay: number | undefined;
  private readonly micBlock: Float64Array;
  private readonly refBlock: Float64Array;
  private filled = 0;
  /** The reference as the filter takes it: a margin early, so the whole path is causal. */
  private readonly aligned: Float64Array;
  /** Power spectrum of the reference as its echo arrives: what the suppressor weighs the residual against. */
  private readonly arriving: Float64Array;
  private readonly residual: Float64Array;
  private readonly echo: Float64Array;
  private readonly cleaned: Float64Array;
  /** The reference's block energies over the range searched, and the loudest of them. */
  private readonly recentLoudest: RunningMax;
  /** The reference block's energy (as it is played, not as its echo arrives). */
  private referenceBlockEnergy = 0;
  private smearedReference = 0;
  /** The loudest of the last three aligned blocks: the most echo the microphone can hold now. */
  private loudestAligned = 0;
  private lastAligned = 0;
  private beforeLastAligned = 0;
  private quietBlocks = Infinity;
  private cutPrevious = false;
  private activeSinceLock = 0;
  private previousBulkDelay: number | undefined;
  private filteredBlocks = 0;
  /** The coherence and the near-end evidence measured residuals since they were last reset. */
  private residualJudged = false;
  /** The filter slipped (the echo moved): the delay is being searched for again. */
  private searching = false;
  /** Samples fed so far. */
  private fed = 0;
  /** A step of the speaker's timeline was reported: the microphone sample from which its echo may differ. */
  private stepDueAt: number | undefined;
  /** The step's echo is here: listening afresh until the delay estimate confirms where the echo is. */
  private stepArrived = false;
  private activeSinceStep = 0;
  /** Off with the half-rate bands or a diagnostic hook (they see every block worked through). */
  private readonly mayRest: boolean;
  /** Nothing to do (see `nothingToDo`): whole blocks are only kept up with (`restBlocks`). */
  private atRest = false;
  /** The last block's microphone, while resting: the output a block later. */
  private readonly lastMic: Int16Array;
  /** The levels of the blocks being rested through, measured in one pass. */
  private readonly levels: BlockLevels;
  /** The blocks rested through, for the delay line and the delay search once they are read. */
  private readonly backlog: RestBacklog;
  /**
   * The blocks of the chunk being rested through that the backlog does not hold yet (from
   * `unheldFrom`, `unheldCount` samples): handed to it all at once when the chunk is done,
   * or before anything reads it. The chunk's arrays are let go of then.
   */
  private unheldMic: Int16Array = NO_SAMPLES;
  private unheldReference: Int16Array = NO_SAMPLES;
  private unheldFrom = 0;
  private unheldCount = 0;
  /** A block split between chunks, gathered while resting. */
  private readonly restMic: Int16Array;
  private readonly restRef: Int16Array;
  private output: Int16Array;
  private outputStart = 0;
  private outputEnd: number;
  /** What each block tells the detector, the suppressor and the meter: three objects filled in place, not three made per block. */
  private readonly talkBlock: DoubleTalkBlock = { mic: 0, residual: 0, reference: 0, loudestReference: 0, coupling: 1, erleDb: 0, noise: 0, estimate: 'unknown', echoCoherent: false, nearEnd: undefined, farNearEnd: undefined };
  private readonly suppressorBlock: SuppressorBlock = { referencePower: undefined, coupling: 1, echoOnly: false, cautious: true, gated: false, doubtful: false };
  private readonly lossBlock: EchoLossBlock = { mic: 0, residual: 0, output: 0, reference: 0, echoOnly: false };
  private readonly state: EchoCancellerStatus = { delayMs: undefined, farEndActive: false, doubleTalk: false, echoAudible: false, erleDb: 0, attenuationDb: 0, couplingDb: 0, holding: false, converged: false };

  constructor(readonly sampleRate: number, options: AcousticEchoCancellerOptions = {}) {
    const maxDelayMs = options.maxDelayMs ?? 600;
    const tailMs = options.tailMs ?? 128;
    this.factor = options.halfRate && sampleRate >= HALF_RATE_FROM && sampleRate % 2 === 0 ? 2 : 1;
    this.processingRate = sampleRate / this.factor;
    sampleRate = this.processingRate;
    this.blockSize = 2 ** Math.round(Math.log2(sampleRate / 100));
    this.onBlock = options.onBlock;
    this.onDecision = options.onDecision;
    const N = this.blockSize;
    // The filter takes the reference one block before the delay found: the estimate lands
    // on the strongest reflection, not the first, and the path must be causal for it.
    this.marginSamples = N;
    const partitions = Math.ceil((tailMs * sampleRate) / 1000 / N) + 1;
    this.filter = new BlockEchoFilter(N, partitions, sampleRate);
    this.estimator = new EchoDelayEstimator(sampleRate, maxDelayMs);
    this.line = new DelayLine(this.estimator.maxDelaySamples + 2 * N);
    this.drift = new EchoDriftTracker(N, sampleRate);
    this.previousMic = new Float64Array(N);
    this.suppressor = new ResidualEchoSuppressor(N, sampleRate);
    this.coherence = new EchoCoherence(N, sampleRate);
    this.nearEnd = new NearEndEvidence(N, sampleRate);
    this.presence = new EchoPresence(N / sampleRate);
    this.meter = new EchoLossMeter(N / sampleRate);
    this.slip = new EchoSlipWatch(N / sampleRate);
    this.micBlock = new Float64Array(N);
    this.refBlock = new Float64Array(N);
    this.aligned = new Float64Array(N);
    this.arriving = new Float64Array(N + 1);
    this.residual = new Float64Array(N);
    this.echo = new Float64Array(N);
    this.cleaned = new Float64Array(N);
    this.recentLoudest = new RunningMax(Math.ceil(this.estimator.maxDelaySamples / N) + 2);
    this.outputSource = new Float64Array(N);
    this.bands = this.factor === 2 ? new HalfRateBands(2 * N, N) : undefined;
    this.latencySamples = this.bands ? this.bands.latency : 2 * N;
    this.mayRest = (options.rest ?? true) && !this.bands && !this.onBlock && !this.onDecision;
    this.reach = Math.max(this.line.capacity, this.estimator.historyLength);
    this.backlog = new RestBacklog(this.reach);
    this.lastMic = new Int16Array(N);
    this.levels = new BlockLevels(N);
    this.restMic = new Int16Array(N);
    this.restRef = new Int16Array(N);
    this.output = new Int16Array(4 * N * this.factor);
    this.outputEnd = N * this.factor;
  }

  /** Correlations the delay search has computed so far (diagnostics: what the search cost). */
  get delayEstimates(): number {
    return this.estimator.estimatesMade;
  }

  /** What the delay search found last, taken or not (diagnostics: what it heard). */
  get lastDelayEstimate(): DelayEstimate {
    return this.estimator.estimate;
  }

  /** Resting now: nothing to do but keep up (see `nothingToDo`). For diagnostics and tests. */
  get resting(): boolean {
    return this.atRest;
  }

  /** The latest measurements (one object, updated in place every block). */
  get status(): Readonly<EchoCancellerStatus> {
    return this.state;
  }

  /**
   * Cancels the echo in `mic`; `reference` holds what sounded at the same moments (same
   * length). Returns as many samples as were given, `latencySamples` late: in `out` when
   * one is given (as long as `mic`: a caller that keeps every chunk's output writes it
   * where it will keep it), else in a new array.
   */
  process(mic: Int16Array, reference: Int16Array, out: Int16Array = new Int16Array(mic.length)): Int16Array {
    if (reference.length !== mic.length) throw new RangeError('microphone and reference blocks differ in length');
    if (out.length !== mic.length) throw new RangeError('the output must be as long as the microphone block');
    if (this.bands) {
      const low = this.bands.down(mic, reference);
      this.feed(low.mic, low.reference, low.count);
    } else {
      this.feed(mic, reference, mic.length);
    }
    return this.takeOutput(out);
  }

  private feed(mic: ArrayLike<number>, reference: ArrayLike<number>, count: number): void {
    for (let from = 0; from < count;) {
      // Resting only without the bands: the chunks are the caller's 16-bit samples.
      from = this.atRest ? this.feedResting(mic as Int16Array, reference as Int16Array, from, count) : this.feedWorking(mic, reference, from, count);
    }
  }

  /** Takes samples from `from` into the block being filled, up to its end; works it through if it is full. Returns where it stopped. */
  private feedWorking(mic: ArrayLike<number>, reference: ArrayLike<number>, from: number, count: number): number {
    const { micBlock, refBlock } = this;
    const at = this.filled;
    const take = Math.min(count - from, this.blockSize - at);
    // A loop, not subarray + set: two views allocated per piece cost more than the copy.
    for (let i = 0; i < take; i++) {
      micBlock[at + i] = mic[from + i]!;
      refBlock[at + i] = reference[from + i]!;
    }
    this.filled = at + take;
    this.fed += take;
    if (this.filled === this.blockSize) {
      this.filled = 0;
      this.processBlock();
    }
    return from + take;
  }

  /**
   * As `feedWorking`, while resting: the whole blocks in the chunk are taken where they
   * are, all at once, a block split between chunks is gathered as 16-bit samples. A block
   * that sounds wakes the canceller and is worked through.
   */
  private feedResting(mic: Int16Array, reference: Int16Array, from: number, count: number): number {
    const N = this.blockSize;
    const at = this.filled;
    if (at === 0 && count - from >= N) {
      const blocks = Math.floor((count - from) / N);
      const rested = this.restBlocks(mic, reference, from, blocks);
      const next = from + rested * N;
      this.fed += rested * N;
      if (rested === blocks) return next;
      this.fed += N;
      this.workThrough(mic, reference, next);
      return next + N;
    }
    const take = Math.min(count - from, N - at);
    this.fed += take;
    this.restMic.set(mic.subarray(from, from + take), at);
    this.restRef.set(reference.subarray(from, from + take), at);
    this.filled = at + take;
    if (this.filled === N) {
      this.filled = 0;
      if (this.restBlocks(this.restMic, this.restRef, 0, 1) === 0) this.workThrough(this.restMic, this.restRef, 0);
    }
    return from + take;
  }

  /** Wakes, and works the block at `from` through the full path. */
  private workThrough(mic: Int16Array, reference: Int16Array, from: number): void {
    this.wake();
    for (let i = 0; i < this.blockSize; i++) {
      this.micBlock[i] = mic[from + i]!;
      this.refBlock[i] = reference[from + i]!;
    }
    this.processBlock();
  }

  private processBlock(): void {
    const N = this.blockSize;
    // Offsets given: a default parameter first computed here, once something plays, threw
    // away the code V8 had optimized while resting.
    this.line.write(this.refBlock, 0, N);
    this.watchStep();
    const micEnergy = energy(this.micBlock);
    const noise = this.noise.update(micEnergy / N) * N;
    const micSounds = micEnergy > 4 * noise;
    // No echo is found in a microphone that holds no sound: until a delay is known, and
    // wherever the speaker is not heard, the search waits for sound.
    this.estimator.onlyWhileMicSounds = this.presence.absent || this.bulkDelay === undefined;
    // A delay held back while the speaker was not heard is taken once it is.
    if (this.estimator.push(this.micBlock, this.refBlock, micSounds, 0, N) || this.bulkDelay === undefined) this.realign();
    this.endStepWhenConfirmed();
    const locked = this.bulkDelay !== undefined;
    // Read only while locked (the filter and the aligned level): unlocked, nothing looks at it.
    if (locked) this.line.read(this.bulkDelay!, this.aligned);
    // After a slip the echo is no longer where the alignment says: judge by the whole range.
    const referenceEnergy = this.referenceLevel(locked && !this.searching && !this.stepCautious());
    if (this.stepArrived && referenceEnergy > ACTIVE_MEAN_SQUARE * N) this.activeSinceStep += 1;
    const active = referenceEnergy > ACTIVE_MEAN_SQUARE * N;
    // Counted whatever the branch: a load and an addition first met when the far end stops (its
    // first reply ending) threw the optimized code away, which then ran unoptimized for ~10 s.
    const quietAfter = this.quietBlocks + 1;
    this.quietBlocks = active ? 0 : quietAfter;
    // Once the filter's whole tail has heard nothing, it has nothing to cancel: save the work.
    const filtering = locked && this.quietBlocks <= this.filter.partitions + 1;
    this.filteredBlocks = filtering ? this.filteredBlocks + 1 : 0;
    if (filtering) this.filter.process(this.micBlock, this.aligned, this.residual, this.echo);
    let residualEnergy = filtering ? energy(this.residual) : micEnergy;
    // A filter whose echo estimate comes where there is no echo (the echo arrives later
    // than it did: the speaker ran dry for a moment) would add it to the microphone.
    const unfiltered = !filtering || residualEnergy > 2 * micEnergy;
    if (unfiltered) {
      this.residual.set(this.micBlock);
      residualEnergy = micEnergy;
    }
    this.followDrift(filtering, active);
    this.previousMic.set(this.micBlock);
    this.onBlock?.(this.micBlock, this.residual);
    const coupling = this.meter.coupling;
    const erleDb = this.meter.erleDb;
    let echoShare = 0;
    let nearEnd: number | undefined;
    if (filtering) {
      const spectrum = this.filter.referenceSpectrum(1);
      echoShare = this.coherence.update(this.residual, spectrum.re, spectrum.im);
      const residual = this.coherence.residualSpectrum;
      nearEnd = this.nearEnd.update(residual.re, residual.im, spectrum.re, spectrum.im, coupling);
      this.residualJudged = true;
    } else if (this.residualJudged) {
      // Once: until the filter runs again they learn nothing more.
      this.coherence.reset();
      this.nearEnd.reset();
      this.residualJudged = false;
    }
    const talk = this.talkBlock;
    talk.echoCoherent = echoShare >= ECHO_COHERENT;
    talk.nearEnd = nearEnd;
    talk.farNearEnd = nearEnd === undefined ? undefined : this.nearEnd.farShare;
    talk.mic = micEnergy;
    talk.residual = residualEnergy;
    talk.reference = referenceEnergy;
    talk.loudestReference = Math.max(referenceEnergy, this.loudestAligned);
    talk.coupling = coupling;
    talk.erleDb = locked ? erleDb : 0;
    talk.noise = noise;
    talk.estimate = filtering ? this.estimateFit() : 'unknown';
    const talking = this.doubleTalk.update(talk);
    const echoOnly = locked && active && micSounds && !talking;
    // The filter's reference window of one block ago is the far end as its echo arrives now.
    if (filtering) this.filter.referencePower(1, this.arriving);
    if (this.slip.update(echoOnly, micEnergy, residualEnergy, erleDb)) {
      this.estimator.hurry();
      this.searching = true;
    } else if (this.searching && !this.slip.suspect) {
      this.searching = false;
    }
    const cautious = this.cautious(locked, talking);
    // Echo alone, the filter running: nothing in it the server should hear.
    const gated = filtering && !talking;
    const suppress = this.suppressorBlock;
    suppress.referencePower = filtering ? this.arriving : undefined;
    suppress.coupling = coupling;
    suppress.echoOnly = echoOnly;
    suppress.cautious = cautious;
    suppress.gated = gated;
    suppress.doubtful = talking && !this.doubleTalk.evidenced;
    this.suppressor.process(this.residual, this.cleaned, suppress);
    // Before the delay is known, audio that is not clearly louder than the loudest far end
    // of the last 600 ms could be its echo (the output is a block late: last block's verdict).
    // So it is while the filter's reference windows still fill, just after the delay was found.
    // Not where the microphone does not hear the speaker at all (headphones), nor audio
    // that does not stand above the microphone's noise (no server takes that for speech).
    const cut = this.cutPrevious;
    const unaligned = !locked || this.searching || this.stepCautious() || (this.filteredBlocks > 0 && this.filteredBlocks < 3);
    this.followPresence(locked, active, micSounds);
    this.cutPrevious = unaligned && active && micSounds && !this.presence.absent && micEnergy < 2 * referenceEnergy * Math.max(coupling, 1);
    if (cut) this.cleaned.fill(0);
    const kept = cut ? 1e-6 : this.suppressor.keptEnergy;
    const loss = this.lossBlock;
    loss.mic = micEnergy;
    loss.residual = residualEnergy;
    loss.output = residualEnergy * kept;
    loss.reference = referenceEnergy;
    loss.echoOnly = echoOnly;
    this.meter.update(loss);
    this.pushOutput(this.cleaned);
    this.onDecision?.({
      at: this.fed, mic: micEnergy / N, residual: residualEnergy / N, output: energy(this.cleaned) / N, expectedEcho: (referenceEnergy * coupling) / N,
      erleDb, echoShare, nearEnd: nearEnd ?? 0, talking, locked, filtering, cautious, gated, cut,
    });
    const state = this.state;
    state.delayMs = locked ? ((this.bulkDelay! + this.marginSamples) * 1000) / this.processingRate : undefined;
    state.farEndActive = active;
    state.doubleTalk = talking;
    state.echoAudible = active && micSounds && !talking;
    state.erleDb = this.meter.erleDb;
    state.attenuationDb = this.meter.attenuationDb;
    state.couplingDb = 10 * Math.log10(this.meter.coupling);
    state.holding = locked && this.meter.blocks >= 10 && this.meter.attenuationDb >= CONVERGED_DB;
    state.converged = state.holding && this.meter.erleDb >= MIN_LINEAR_ERLE_DB;
    this.dropWrongDelay(locked, active);
    if (this.mayRest && this.nothingToDo(micSounds, active)) this.rest();
  }

  /**
   * Every block like this one leaves the microphone as it is, a block late, and changes
   * only what remembers the audio (the reference's delay line, the delay search's history),
   * a few levels, and the double-talk detector where someone talks: nothing is suppressed or
   * cut, and either
   * - no delay is known (nor one found waiting to be taken), and the microphone holds no
   *   sound or the far end has not played within the range searched (until a delay is
   *   known, audio that does not stand above the microphone's noise is neither cut nor
   *   searched); or
   * - a delay is known and the far end has been silence for all the delay line and the
   *   delay search's window read back, the filter's tail included (between replies, through
   *   speakers): there is no echo to remove, and the alignment only follows the drift.
   * Resting does just that, from the 16-bit samples, until a block needs the full path:
   * with headphones, through whole replies (their first second included, while
   * EchoPresence judges) and what the user says between them; with any microphone, from
   * the start until the first reply's echo sounds; through speakers, from ~1.2 s after a
   * reply until the next. A block with an estimate due whose delay would be taken goes
   * through the full path. Measured alone (bench/echo-canceller-idle-cpu.ts) it takes a
   * quarter to two thirds off the canceller's CPU on a quiet microphone, and ~80 % on a
   * voice with nothing played; inside kaiwa, where each chunk comes between other work, less.
   */
  private nothingToDo(micSounds: boolean, farEndActive: boolean): boolean {
    if (this.searching || this.stepDueAt !== undefined || this.cutPrevious || !this.suppressor.passingThrough) return false;
    if (this.bulkDelay !== undefined) return this.farEndOutOfReach(this.estimator.referenceSilentFor) && !this.residualJudged;
    return (this.estimator.delaySamples === undefined || !this.presence.delayTrusted) && (!micSounds || !farEndActive);
  }

  /** Zeros for all the delay line and the delay search read back, and for the filter's tail since the far end was last heard. */
  private farEndOutOfReach(silentFor: number): boolean {
    return silentFor >= this.reach && this.quietBlocks > this.filter.partitions + 1;
  }

  private rest(): void {
    this.atRest = true;
    for (let i = 0; i < this.blockSize; i++) this.lastMic[i] = this.micBlock[i]!;
  }

  /**
   * Whole blocks while resting, `blocks` of them from `from` in the chunk given: what the
   * full path does with such blocks, less what it would leave as it is. Stops at the first
   * block that sounds, which the full path takes; returns how many it rested through.
   */
  private restBlocks(mic: Int16Array, reference: Int16Array, from: number, blocks: number): number {
    this.levels.measure(mic, reference, from, blocks);
    this.unheldMic = mic;
    this.unheldReference = reference;
    this.unheldFrom = from;
    const rested = this.keepResting(blocks);
    this.holdUnheld();
    this.unheldMic = NO_SAMPLES;
    this.unheldReference = NO_SAMPLES;
    if (rested > 0) this.passRested(mic, from, rested);
    return rested;
  }

  /**
   * What the blocks at rest change (the first `blocks` of the levels measured), but for the
   * output, up to the first that sounds, or whose estimate could find a delay that would be
   * taken: the full path takes that one. Returns how many it rested through. (One loop
   * over the blocks in here, not a call per block: V8 then compiles this code once, not
   * again inlined into each caller.)
   */
  private keepResting(blocks: number): number {
    for (let b = 0; b < blocks; b++) if (!this.keepRestingBlock(b)) return b;
    return blocks;
  }

  private keepRestingBlock(b: number): boolean {
    if (this.bulkDelay !== undefined) return this.keepRestingLocked(b);
    const N = this.blockSize;
    const levels = this.levels;
    const micEnergy = levels.mic[b]!;
    const noise = this.noise.after(micEnergy / N) * N;
    const micSounds = micEnergy > 4 * noise;
    const raw = levels.reference[b]!;
    // Sound while the far end plays, or has played within the range searched, is the full
    // path's to judge. (Once a block found none, none of the range is loud: this one decides.)
    if (micSounds && (this.quietBlocks === 0 || raw > ACTIVE_MEAN_SQUARE * N)) return false;
    // The search waits for sound while no delay is known (as in processBlock, which set it
    // from the lock it started with: one dropped in that block left it unset).
    this.estimator.onlyWhileMicSounds = true;
    // With the speaker not judged unheard, an estimate due now could find a delay the full path would take.
    if (this.presence.delayTrusted && this.estimator.estimateDueWith(N, micSounds)) return false;
    this.noise.update(micEnergy / N);
    // Held as they came, for the delay line and the search's history, until something reads them.
    this.unheldCount += N;
    // The search keeps counting, and reads what it was not given if an estimate is due
    // (none is, unless its delay would not be taken).
    this.estimator.pushLater(N, micSounds, levels.lastAudible[b]!, levels.referenceLastPlayed[b]!, this.catchUp);
    this.referenceBlockEnergy = raw;
    this.recentLoudest.push(raw);
    const active = this.recentLoudest.value > ACTIVE_MEAN_SQUARE * N;
    const quietAfter = this.quietBlocks + 1;
    this.quietBlocks = active ? 0 : quietAfter;
    this.followPresence(false, active, micSounds);
    this.state.farEndActive = active;
    // The rest of the status stands as the last block worked through left it (no delay, no
    // echo heard), but for talk: the detector follows a voice as the full path has it do.
    if (micSounds || this.doubleTalk.talking) this.state.doubleTalk = this.restingTalk(micEnergy, noise, this.recentLoudest.value, 0);
    return true;
  }

  /**
   * A block rested through with a delay known (see `nothingToDo`): what processBlock does
   * with one while the far end is out of reach. The aligned reference is zeros, the level
   * held over the room's reverberation decays, the alignment follows the drift learnt.
   * Estimates come due (the search listens all the time once the speaker is heard) and
   * find a window of zeros: nothing to correlate, nothing read.
   */
  private keepRestingLocked(b: number): boolean {
    const N = this.blockSize;
    const levels = this.levels;
    // A step of the timeline announced meanwhile (timelineSuspect) is the full path's.
    if (this.stepDueAt !== undefined || !this.farEndOutOfReach(this.estimator.sincePlayedAfter(N, levels.referenceLastPlayed[b]!))) return false;
    const micEnergy = levels.mic[b]!;
    const noise = this.noise.after(micEnergy / N) * N;
    const micSounds = micEnergy > 4 * noise;
    // As processBlock sets it from the lock: the search listens all the time while the speaker is heard.
    this.estimator.onlyWhileMicSounds = this.presence.absent;
    this.noise.update(micEnergy / N);
    this.unheldCount += N;
    // As processBlock has it, though out of reach the window holds zeros and no estimate moves.
    if (this.estimator.pushLater(N, micSounds, levels.lastAudible[b]!, levels.referenceLastPlayed[b]!, this.catchUp)) this.realign();
    this.referenceBlockEnergy = 0;
    this.recentLoudest.push(0);
    this.smearedReference = Math.max(0, 0.5 * this.smearedReference);
    this.loudestAligned = Math.max(0, this.lastAligned, this.beforeLastAligned);
    this.beforeLastAligned = this.lastAligned;
    this.lastAligned = 0;
    const referenceEnergy = this.smearedReference;
    const active = referenceEnergy > ACTIVE_MEAN_SQUARE * N;
    const quietAfter = this.quietBlocks + 1;
    this.quietBlocks = active ? 0 : quietAfter;
    this.bulkDelay = Math.max(DelayLine.MIN_FRACTIONAL_DELAY, this.bulkDelay! + this.drift.drift);
    this.followPresence(true, active, micSounds);
    const state = this.state;
    state.farEndActive = active;
    state.delayMs = ((this.bulkDelay + this.marginSamples) * 1000) / this.processingRate;
    if (micSounds || this.doubleTalk.talking) state.doubleTalk = this.restingTalk(micEnergy, noise, referenceEnergy, this.meter.erleDb);
    return true;
  }

  /** What the detector makes of a block rested through: as processBlock tells it, with no filter running. */
  private restingTalk(micEnergy: number, noise: number, referenceEnergy: number, erleDb: number): boolean {
    const talk = this.talkBlock;
    talk.echoCoherent = false;
    talk.nearEnd = undefined;
    talk.farNearEnd = undefined;
    talk.mic = micEnergy;
    talk.residual = micEnergy;
    talk.reference = referenceEnergy;
    talk.loudestReference = Math.max(referenceEnergy, this.loudestAligned);
    talk.coupling = this.meter.coupling;
    talk.erleDb = erleDb;
    talk.noise = noise;
    talk.estimate = 'unknown';
    return this.doubleTalk.update(talk);
  }

  /** The output of `blocks` blocks rested through from `from`: the microphone, a block late. */
  private passRested(mic: Int16Array, from: number, blocks: number): void {
    const N = this.blockSize;
    const length = blocks * N;
    if (this.outputEnd + length > this.output.length) this.compactOutput(length);
    this.output.set(this.lastMic, this.outputEnd);
    if (blocks > 1) this.output.set(mic.subarray(from, from + length - N), this.outputEnd + N);
    this.outputEnd += length;
    this.lastMic.set(mic.subarray(from + length - N, from + length));
  }

  /** The delay line and the delay search get the blocks rested through (bound: handed to the search). */
  private readonly catchUp = (): void => {
    this.holdUnheld();
    if (this.backlog.held > 0) this.backlog.drain(this.skipBacklog, this.takeBacklog);
  };

  private holdUnheld(): void {
    if (this.unheldCount === 0) return;
    this.backlog.push(this.unheldMic, this.unheldReference, this.unheldFrom, this.unheldCount);
    this.unheldFrom += this.unheldCount;
    this.unheldCount = 0;
  }

  private readonly skipBacklog = (count: number): void => {
    this.line.skip(count);
    this.estimator.skipped(count);
  };

  private readonly takeBacklog = (mic: Int16Array, reference: Int16Array, offset: number, count: number): void => {
    this.line.write(reference, offset, count);
    this.estimator.appendLater(mic, reference, offset, count);
  };

  /** Back to the full path: what it keeps from block to block, as if it had worked through the rest. */
  private wake(): void {
    this.catchUp();
    this.atRest = false;
    this.previousMic.set(this.lastMic);
    this.suppressor.resumeAfter(this.previousMic);
  }

  /**
   * Whether the suppressor must assume the filter removes little: no delay yet, a suspected
   * step of the timeline, a low ERLE, or a suspected slip (unless someone talks over a filter
   * whose estimate the microphone still holds: it has not slipped). A low ERLE is no reason to
   * suppress harder what is plainly a voice (talk is never coherent with the far end): the
   * meter learns from blocks judged echo alone, and a long double talk leaks into them. Unless
   * the filter removes next to nothing, the microphone is no louder than the echo, and the
   * residual's spectrum shows nothing beyond the echo: then the echo may be where the
   * alignment is not, incoherent for that reason.
   */
  private cautious(locked: boolean, talking: boolean): boolean {
    if (!locked || this.stepCautious() || (this.slip.suspect && !talking)) return true;
    if (this.meter.erleDb >= TRUSTED_ERLE_DB) return false;
    const voice = talking && (this.meter.erleDb >= MIN_LINEAR_ERLE_DB || this.doubleTalk.louderThanEcho || this.doubleTalk.evidenced);
    return !voice;
  }

  /**
   * Whether the microphone hears the speaker at all, judged while no delay is known, in
   * blocks where the far end plays now and has played for the whole range (its echo, at
   * any delay searched, would be here).
   */
  private followPresence(locked: boolean, active: boolean, micSounds: boolean): void {
    this.farEndRun = active ? this.farEndRun + 1 : 0;
    if (locked) return this.presence.found();
    const playingNow = this.referenceBlockEnergy > ACTIVE_MEAN_SQUARE * this.blockSize;
    this.presence.update(playingNow && this.farEndRun >= this.recentLoudest.length, micSounds);
  }

  /**
   * Moves the alignment with the drift between the speaker's and the microphone's clocks:
   * by the rate learnt every block, and by what the tracker measured while the far end
   * plays into the filter (its reference window one block back is the one whose echo the
   * microphone's last two blocks hold). A voice talking over the echo only blurs the
   * correlation (weighed by its confidence); a detector of double talk could not be
   * trusted here, since a misaligned filter leaves a residual that looks like one.
   */
  private followDrift(filtering: boolean, usable: boolean): void {
    if (this.bulkDelay === undefined) return;
    let correction: number;
    if (filtering) {
      const reference = this.filter.referenceSpectrum(1);
      // After a step, until its echo is found, the correlation would follow whatever moved.
      correction = this.drift.update(this.previousMic, this.micBlock, reference.re, reference.im, usable && this.stepDueAt === undefined);
    } else {
      correction = this.drift.drift;
    }
    this.bulkDelay = Math.max(DelayLine.MIN_FRACTIONAL_DELAY, this.bulkDelay + correction);
  }

  /**
   * The share of the filter's echo estimate that the microphone holds (least squares):
   * near 1 while the filter fits the echo, whatever else the room adds, since a voice is
   * not correlated with the estimate; far from it once the echo moved under the filter.
   * An estimate too faint to tell by (the filter knows nothing yet, the far end is
   * quiet), or a share neither near 1 nor far from it, is 'unknown'.
   */
  private estimateFit(): 'matches' | 'differs' | 'unknown' {
    let cross = 0; let own = 0;
    for (let i = 0; i < this.blockSize; i++) {
      cross += this.micBlock[i]! * this.echo[i]!;
      own += this.echo[i]! * this.echo[i]!;
    }
    // Beside a microphone 10 dB louder, a voice's chance correlation swamps the estimate's.
    if (own < ACTIVE_MEAN_SQUARE * this.blockSize * 0.01) return 'unknown';
    const share = cross / own;
    if (share > MATCH_LOW && share < MATCH_HIGH) return 'matches';
    return share < SLIPPED_LOW || share > SLIPPED_HIGH ? 'differs' : 'unknown';
  }

  /**
   * The far end's energy as it reaches the microphone now: the aligned reference, held
   * over the room's reverberation; without a delay, the loudest block of the range.
   */
  private referenceLevel(locked: boolean): number {
    const raw = energy(this.refBlock);
    this.referenceBlockEnergy = raw;
    this.recentLoudest.push(raw);
    if (!locked) return this.recentLoudest.value;
    const now = energy(this.aligned);
    this.smearedReference = Math.max(now, 0.5 * this.smearedReference);
    this.loudestAligned = Math.max(now, this.lastAligned, this.beforeLastAligned);
    this.beforeLastAligned = this.lastAligned;
    this.lastAligned = now;
    return this.smearedReference;
  }

  /**
   * The playback timeline moved by an unknown amount (the output device was restarted,
   * e.g. to drop audio on barge-in): the delay must be found again. What the filter learnt
   * is kept, so if the new delay is near the old one it carries on from there; until then
   * audio that could be echo is cut as before any delay was known.
   */
  timelineBroken(): void {
    this.catchUp();
    // Resting on, as the full path's next block would have it: no delay, nothing held.
    if (this.atRest) {
      this.state.delayMs = undefined;
      this.state.holding = false;
      this.state.converged = false;
    }
    if (this.bulkDelay !== undefined) this.previousBulkDelay = this.bulkDelay;
    this.bulkDelay = undefined;
    this.estimator.reset();
    this.activeSinceLock = 0;
    this.stepDueAt = undefined;
    this.stepArrived = false;
  }

  /**
   * The speaker's timeline may have stepped (a refill came too late to be sure the device
   * never ran dry, the device reported an under-run): the reference sample `samplesAhead`
   * (at the stream's rate) from the next one fed is the first that may have sounded later than the tape says.
   * Its echo is due `delay` after it; until then and until the delay is confirmed on the
   * echo that follows it, audio that could be echo is cut and the rest suppressed as
   * before alignment. Known in advance, the step's first echo is never taken for a voice.
   */
  timelineSuspect(samplesAhead: number): void {
    if (this.bulkDelay === undefined) return;
    samplesAhead /= this.factor;
    // Listening afresh starts exactly when the step's echo is due (earlier, the window would
    // still hold the echo before the step, where the alignment held, and confirm it).
    const dueAt = this.fed + Math.max(0, samplesAhead) + this.bulkDelay + this.marginSamples;
    // A second step before the first one's echo came: the caution runs from the first.
    if (this.stepDueAt !== undefined && !this.stepArrived) return;
    this.stepDueAt = dueAt;
    this.stepArrived = false;
    this.activeSinceStep = 0;
  }

  /** From `STEP_EARLY_MS` before a suspected step's echo is due until the delay is confirmed after it. */
  private stepCautious(): boolean {
    return this.stepDueAt !== undefined && this.fed >= this.stepDueAt - (STEP_EARLY_MS * this.processingRate) / 1000;
  }

  /** The suspected step's echo reaches the block now processed: the delay search starts afresh on it. */
  private watchStep(): void {
    if (this.stepDueAt === undefined || this.stepArrived) return;
    if (this.fed < this.stepDueAt) return;
    this.stepArrived = true;
    this.estimator.restartListening();
  }

  private endStepWhenConfirmed(): void {
    if (!this.stepArrived) return;
    const seconds = (this.activeSinceStep * this.blockSize) / this.processingRate;
    if (this.estimator.agreements < STEP_AGREEMENTS && seconds < STEP_MAX_SECONDS && this.bulkDelay !== undefined) return;
    this.stepDueAt = undefined;
    this.stepArrived = false;
  }

  /**
   * A delay found by a chance correlation (a path longer than the range, a repetitive
   * far end) gives a filter that never removes anything: after a few seconds of far end
   * like that, the delay is dropped and the search starts over.
   */
  private dropWrongDelay(locked: boolean, active: boolean): void {
    if (!locked || !active) return;
    this.activeSinceLock += 1;
    const seconds = (this.activeSinceLock * this.blockSize) / this.processingRate;
    if (seconds < WRONG_DELAY_SECONDS || this.meter.erleDb >= MIN_LINEAR_ERLE_DB) return;
    this.estimator.reset();
    this.bulkDelay = undefined;
    this.filter.reset();
    this.meter.reset();
    this.suppressor.reset();
    this.activeSinceLock = 0;
  }

  /**
   * A new delay estimate. Near the alignment held it is drift, which the drift tracker
   * follows more finely. Farther, the timeline jumped (the output device restarted) or
   * the path changed: the alignment moves to it and the filter keeps what it learnt,
   * since it models the room relative to the aligned reference, which moved with the echo
   * (a filter that no longer fits is dropped by `dropWrongDelay`). None is taken while
   * the microphone is judged not to hear the speaker (EchoPresence).
   */
  private realign(): void {
    const delay = this.estimator.delaySamples;
    if (delay === undefined || !this.presence.delayTrusted) return;
    const target = Math.max(DelayLine.MIN_FRACTIONAL_DELAY, delay - this.marginSamples);
    const from = this.bulkDelay ?? this.previousBulkDelay;
    this.previousBulkDelay = undefined;
    const ms = from === undefined ? Infinity : (Math.abs(target - from) * 1000) / this.processingRate;
    if (ms < REALIGN_MS) {
      this.bulkDelay = from;
      return;
    }
    this.drift.reset();
    this.searching = false;
    this.bulkDelay = target;
  }

  private pushOutput(block: Float64Array): void {
    if (this.bands) {
      if (this.outputEnd + 2 * block.length > this.output.length) this.compactOutput(2 * block.length);
      this.bands.up(block, this.outputSource, this.output, this.outputEnd);
      this.outputSource.set(this.micBlock);
      this.outputEnd += 2 * block.length;
      return;
    }
    if (this.outputEnd + block.length > this.output.length) this.compactOutput(block.length);
    for (let i = 0; i < block.length; i++) {
      const v = Math.round(block[i]!);
      this.output[this.outputEnd++] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
  }

  private compactOutput(room: number): void {
    const held = this.outputEnd - this.outputStart;
    const next = held + room > this.output.length ? new Int16Array(2 * (held + room)) : this.output;
    next.set(this.output.subarray(this.outputStart, this.outputEnd));
    this.output = next;
    this.outputStart = 0;
    this.outputEnd = held;
  }

  private takeOutput(out: Int16Array): Int16Array {
    out.set(this.output.subarray(this.outputStart, this.outputStart + out.length));
    this.outputStart += out.length;
    return out;
  }
}

function energy(block: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < block.length; i++) sum += block[i]! * block[i]!;
  return sum;
}

/**
 * The largest of the last `length` values pushed (block energies, never negative: 0 before
 * any). Kept as values come; the window is scanned again only when its largest value
 * leaves it, not for every value.
 */
class RunningMax {
  private readonly values: Float64Array;
  private index = 0;
  private largest = 0;
  /** Where the largest is in `values`; -1 once it left and the window must be scanned. */
  private largestAt = -1;

  constructor(readonly length: number) {
    this.values = new Float64Array(length);
  }

  push(value: number): void {
    const at = this.index;
    this.values[at] = value;
    this.index = at + 1 === this.length ? 0 : at + 1;
    if (value >= this.largest) {
      this.largest = value;
      this.largestAt = at;
    } else if (at === this.largestAt) {
      this.largestAt = -1;
    }
  }

  get value(): number {
    if (this.largestAt < 0) this.rescan();
    return this.largest;
  }

  private rescan(): void {
    let largest = 0;
    let at = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.values[i]! > largest) { largest = this.values[i]!; at = i; }
    }
    this.largest = largest;
    this.largestAt = at;
  }
}
