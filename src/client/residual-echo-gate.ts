import { rmsDbfs } from '../audio/pcm16.js';

export interface PlaybackLevel {
  /** Loudest assistant audio that sounded within the window. */
  recentLevelDbfs(windowMs: number): number;
}

export interface ResidualEchoGateOptions {
  /** How much the echo canceller removes, conservatively (it measures ~28 dB once converged). */
  cancellationDb?: number;
  /** Speech must be this much louder than the loudest echo that could be left. */
  marginDb?: number;
  /** Echo arrives late: the room, the sound server and the canceller's own delay. */
  echoWindowMs?: number;
}

/**
 * What an echo canceller leaves behind (most of all while it converges on the first
 * words) is still enough for a server's VAD to hear the assistant. While the assistant
 * sounds, captured audio that is not clearly louder than that residue is replaced with
 * silence; the user talking over the assistant is louder and still gets through.
 */
export class ResidualEchoGate {
  private readonly cancellationDb: number;
  private readonly marginDb: number;
  private readonly echoWindowMs: number;
  suppressedChunks = 0;

  constructor(private readonly playback: PlaybackLevel, options: ResidualEchoGateOptions = {}) {
    this.cancellationDb = options.cancellationDb ?? 20;
    this.marginDb = options.marginDb ?? 6;
    this.echoWindowMs = options.echoWindowMs ?? 300;
  }

  /** The chunk to send: the captured audio, or silence of the same length. */
  filter(pcm: Buffer): Buffer {
    const echoDbfs = this.playback.recentLevelDbfs(this.echoWindowMs);
    if (echoDbfs === -Infinity) return pcm;
    const loudestResidue = echoDbfs - this.cancellationDb;
    if (rmsDbfs(pcm) > loudestResidue + this.marginDb) return pcm;
    this.suppressedChunks += 1;
    return Buffer.alloc(pcm.length);
  }
}
