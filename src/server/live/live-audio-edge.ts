/**
 * kaiwa serve's GA session works on PCM16 at 24 kHz (or G.711); GPT-Live also allows PCM16
 * at 16 kHz. For such a session the Live endpoint converts at its edge: the microphone's
 * audio up to 24 kHz on the way in, the voice down to 16 kHz on the way out, each a stream
 * of its own (a chunk may end in half a sample; the resampler's filter spans chunks).
 */
import { StreamingResampler } from '../../audio/resample.js';
import { bufferToInt16, int16ToBuffer } from '../../audio/pcm16.js';
import type { LiveAudioFormat } from '../../protocol/live/live-types.js';

const INNER_RATE = 24000;

export interface LiveAudioEdge {
  /** Wire audio of the Live session as the inner GA session takes it. */
  inbound(wire: Buffer): Buffer;
  /** The inner session's audio as the Live session's wire carries it. */
  outbound(inner: Buffer): Buffer;
  /** The reply's audio is over: what the outbound filter still holds. */
  endOutbound(): Buffer;
}

const SAME: LiveAudioEdge = { inbound: (wire) => wire, outbound: (inner) => inner, endOutbound: () => Buffer.alloc(0) };

export function liveAudioEdge(format: LiveAudioFormat): LiveAudioEdge {
  return format.type === 'audio/pcm' && format.rate !== INNER_RATE ? new ResamplingEdge(format.rate) : SAME;
}

class PcmStream {
  private resampler: StreamingResampler;
  private carry = Buffer.alloc(0);

  constructor(private readonly from: number, private readonly to: number) {
    this.resampler = new StreamingResampler(from, to);
  }

  push(bytes: Buffer): Buffer {
    const joined = this.carry.length ? Buffer.concat([this.carry, bytes]) : bytes;
    const whole = joined.length - (joined.length % 2);
    this.carry = Buffer.from(joined.subarray(whole));
    return int16ToBuffer(this.resampler.push(bufferToInt16(joined.subarray(0, whole))));
  }

  /** The rest, and a fresh stream for what comes next. */
  end(): Buffer {
    const rest = int16ToBuffer(this.resampler.flush());
    this.resampler = new StreamingResampler(this.from, this.to);
    this.carry = Buffer.alloc(0);
    return rest;
  }
}

class ResamplingEdge implements LiveAudioEdge {
  private readonly input: PcmStream;
  private readonly output: PcmStream;

  constructor(wireRate: number) {
    this.input = new PcmStream(wireRate, INNER_RATE);
    this.output = new PcmStream(INNER_RATE, wireRate);
  }

  inbound(wire: Buffer): Buffer {
    return this.input.push(wire);
  }

  outbound(inner: Buffer): Buffer {
    return this.output.push(inner);
  }

  endOutbound(): Buffer {
    return this.output.end();
  }
}
