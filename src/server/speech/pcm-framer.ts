/**
 * Cuts a stream of samples arriving in arbitrary chunk sizes into fixed-size frames,
 * keeping the incomplete tail for the next push.
 */
export class PcmFramer {
  private pending = new Int16Array(0);

  constructor(readonly frameSamples: number) {
    if (!Number.isInteger(frameSamples) || frameSamples <= 0) throw new RangeError(`invalid frame size ${frameSamples}`);
  }

  push(samples: Int16Array): Int16Array[] {
    const joined = this.pending.length === 0 ? samples : concat(this.pending, samples);
    const frames: Int16Array[] = [];
    let offset = 0;
    for (; offset + this.frameSamples <= joined.length; offset += this.frameSamples) {
      frames.push(joined.subarray(offset, offset + this.frameSamples));
    }
    // slice, not subarray: the caller may reuse the buffer it pushed.
    this.pending = joined.slice(offset);
    return frames;
  }

  /** The incomplete tail (possibly empty); the framer is empty afterwards. */
  flush(): Int16Array {
    const rest = this.pending;
    this.pending = new Int16Array(0);
    return rest;
  }

  get pendingSamples(): number {
    return this.pending.length;
  }
}

function concat(a: Int16Array, b: Int16Array): Int16Array {
  const joined = new Int16Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
