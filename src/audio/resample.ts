/**
 * Sample-rate conversion for PCM16 mono, and downmixing to mono.
 *
 * Hand-written rather than taken from npm: the maintained options (libsamplerate and
 * Speex compiled to wasm) need an async wasm start-up, work on Float32, keep their
 * state in wasm memory that must be freed by hand, and do not promise that chunked
 * output equals one-shot output. A rational polyphase windowed-sinc filter is about a
 * hundred lines, is deterministic, and lets the streaming and one-shot paths share code.
 *
 * Design: the ratio is reduced to up/down = toRate/fromRate over their gcd. Output
 * sample n sits at input position n·down/up; its value is the input convolved with a
 * Kaiser-windowed sinc centred there. The `up` possible fractional positions (phases)
 * each get a precomputed row of taps. The filter is centred (zero delay), so output
 * sample 0 lines up with input sample 0, and an input of N samples yields
 * ceil(N·up/down) output samples.
 */

/** Zero crossings of the sinc on each side: longer filters give a sharper cut-off. */
const ZERO_CROSSINGS = 32;
/**
 * Cut-off as a fraction of the lower Nyquist frequency. With 32 zero crossings and
 * β = 8.6 the transition band is about 17 % wide, so the stop band starts just below
 * Nyquist (no aliasing) while speech frequencies stay flat.
 */
const CUTOFF = 0.91;
/** Kaiser β for roughly 85 dB stop-band attenuation, well below 16-bit noise needs. */
const KAISER_BETA = 8.6;

export function downmixToMono(interleaved: Int16Array, channels: number): Int16Array {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`invalid channel count ${channels}`);
  if (channels === 1) return interleaved;
  const frames = Math.floor(interleaved.length / channels);
  const mono = new Int16Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) sum += interleaved[frame * channels + channel]!;
    // Averaging (not summing) keeps the result in range; two channels in phase keep their level.
    mono[frame] = Math.round(sum / channels);
  }
  return mono;
}

/** Converts a whole signal at once. Equal rates return the input unchanged. */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return samples;
  const resampler = new StreamingResampler(fromRate, toRate);
  return concatInt16([resampler.push(samples), resampler.flush()]);
}

/**
 * Converts a stream chunk by chunk. The concatenation of every push() result and the
 * final flush() equals resample() of the concatenated input, whatever the chunk sizes:
 * each output sample is computed only once every input sample it depends on is known.
 */
export class StreamingResampler {
  private readonly filter: PolyphaseFilter | undefined;
  private history = new Float64Array(4096);
  /** Absolute input index of history[historyStart]. */
  private historyIndex0: number;
  private historyStart = 0;
  private historyEnd = 0;
  private inputCount = 0;
  /** Next output sample sits at input position nextInputIndex + nextPhase / up. */
  private nextInputIndex = 0;
  private nextPhase = 0;
  private flushed = false;

  /**
   * `zeroCrossings` trades quality for CPU: 32 (the default) is transparent for audio people
   * hear; a detector that only needs speech energy gets by with 4 at an eighth of the cost.
   */
  constructor(readonly fromRate: number, readonly toRate: number, options: { zeroCrossings?: number } = {}) {
    assertRate(fromRate);
    assertRate(toRate);
    this.filter = fromRate === toRate ? undefined : PolyphaseFilter.for(fromRate, toRate, options.zeroCrossings ?? ZERO_CROSSINGS);
    // Input before the first sample is silence: start the history with the taps that reach back.
    const reachBack = this.filter ? this.filter.tapsBefore : 0;
    this.historyIndex0 = -reachBack;
    this.historyEnd = reachBack;
  }

  push(samples: Int16Array): Int16Array {
    if (this.flushed) throw new Error('StreamingResampler: push() after flush()');
    if (!this.filter) return samples;
    this.append(samples);
    this.inputCount += samples.length;
    return this.produce(this.filter, this.inputCount);
  }

  /** Treats the input as ended (silence after it) and returns the remaining output. */
  flush(): Int16Array {
    if (this.flushed) return new Int16Array(0);
    this.flushed = true;
    if (!this.filter) return new Int16Array(0);
    this.append(new Int16Array(this.filter.tapsAfter + 1));
    return this.produce(this.filter, this.inputCount);
  }

  /** Emits every output whose taps are all in the history and whose position is < endOfInput. */
  private produce(filter: PolyphaseFilter, endOfInput: number): Int16Array {
    const availableEnd = this.historyIndex0 + (this.historyEnd - this.historyStart);
    const out: number[] = [];
    while (this.nextInputIndex < endOfInput && this.nextInputIndex + filter.tapsAfter < availableEnd) {
      const firstTap = this.historyStart + (this.nextInputIndex - filter.tapsBefore - this.historyIndex0);
      out.push(filter.apply(this.nextPhase, this.history, firstTap));
      this.advance(filter);
    }
    this.discardUnneededHistory(filter);
    return Int16Array.from(out);
  }

  private advance(filter: PolyphaseFilter): void {
    const position = this.nextPhase + filter.down;
    this.nextInputIndex += Math.floor(position / filter.up);
    this.nextPhase = position % filter.up;
  }

  private append(samples: Int16Array): void {
    this.ensureCapacity(samples.length);
    this.history.set(samples, this.historyEnd);
    this.historyEnd += samples.length;
  }

  private ensureCapacity(extra: number): void {
    if (this.historyEnd + extra <= this.history.length) return;
    const kept = this.history.subarray(this.historyStart, this.historyEnd);
    const grown = new Float64Array(Math.max(this.history.length, (kept.length + extra) * 2));
    grown.set(kept);
    this.history = grown;
    this.historyEnd = kept.length;
    this.historyStart = 0;
  }

  private discardUnneededHistory(filter: PolyphaseFilter): void {
    const firstNeeded = this.nextInputIndex - filter.tapsBefore;
    const discard = Math.min(firstNeeded - this.historyIndex0, this.historyEnd - this.historyStart);
    if (discard <= 0) return;
    this.historyStart += discard;
    this.historyIndex0 += discard;
  }
}

/** Tap rows for every phase of one rate pair; built lazily and shared between streams. */
class PolyphaseFilter {
  private static readonly cache = new Map<string, PolyphaseFilter>();
  readonly up: number;
  readonly down: number;
  /** Taps at input indices before the output position's integer part, and after it. */
  readonly tapsBefore: number;
  readonly tapsAfter: number;
  private readonly halfWidth: number;
  private readonly cutoff: number;
  private readonly rows: (Float64Array | undefined)[];

  static for(fromRate: number, toRate: number, zeroCrossings: number): PolyphaseFilter {
    const key = `${fromRate}->${toRate}/${zeroCrossings}`;
    let filter = PolyphaseFilter.cache.get(key);
    if (!filter) {
      filter = new PolyphaseFilter(fromRate, toRate, zeroCrossings);
      PolyphaseFilter.cache.set(key, filter);
    }
    return filter;
  }

  private constructor(fromRate: number, toRate: number, zeroCrossings: number) {
    const divisor = gcd(fromRate, toRate);
    this.up = toRate / divisor;
    this.down = fromRate / divisor;
    // Downsampling must cut at the new (lower) Nyquist; upsampling at the input's.
    this.cutoff = CUTOFF * Math.min(1, this.up / this.down);
    this.halfWidth = zeroCrossings / this.cutoff;
    this.tapsBefore = Math.floor(this.halfWidth);
    this.tapsAfter = Math.floor(this.halfWidth) + 1;
    this.rows = new Array<Float64Array | undefined>(this.up);
  }

  apply(phase: number, history: Float64Array, firstTap: number): number {
    const row = this.rows[phase] ?? this.buildRow(phase);
    let sum = 0;
    for (let tap = 0; tap < row.length; tap++) sum += row[tap]! * history[firstTap + tap]!;
    return clampToInt16(Math.round(sum));
  }

  private buildRow(phase: number): Float64Array {
    const fraction = phase / this.up;
    const row = new Float64Array(this.tapsBefore + this.tapsAfter + 1);
    let total = 0;
    for (let tap = 0; tap < row.length; tap++) {
      const distance = fraction - (tap - this.tapsBefore);
      row[tap] = this.impulseResponse(distance);
      total += row[tap]!;
    }
    // Every phase must pass DC at exactly unity gain, or a constant input would ripple.
    for (let tap = 0; tap < row.length; tap++) row[tap]! /= total;
    this.rows[phase] = row;
    return row;
  }

  private impulseResponse(distance: number): number {
    if (Math.abs(distance) >= this.halfWidth) return 0;
    const ratio = distance / this.halfWidth;
    return this.cutoff * sinc(this.cutoff * distance) * besselI0(KAISER_BETA * Math.sqrt(1 - ratio * ratio));
  }
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const angle = Math.PI * x;
  return Math.sin(angle) / angle;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for β ≤ 20). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const quarterSquare = (x * x) / 4;
  for (let k = 1; k < 50 && term > sum * 1e-17; k++) {
    term *= quarterSquare / (k * k);
    sum += term;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function assertRate(rate: number): void {
  if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`sample rate must be a positive integer, got ${rate}`);
}

function clampToInt16(value: number): number {
  return value > 32767 ? 32767 : value < -32768 ? -32768 : value;
}

function concatInt16(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
