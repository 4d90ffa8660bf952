/** Growth of the echo path delay past its first lock that calls for a restart of the player (ms). */
const GROWTH_MS = 80;
/** The speaker must have been silent this long (the reply and its echo over) before the restart (ms). */
const QUIET_MS = 1000;

export interface LatencyRestart {
  /** The delay at the first lock and now (ms). */
  firstMs: number;
  nowMs: number;
}

/**
 * Notices playback latency that grows unseen. A SoX player on PulseAudio that falls
 * behind (the stream underran; PulseAudio then raises its buffer and never lowers it)
 * keeps what it fell behind queued, so the echo comes later and later (measured under
 * load: 483 → 588 ms and past the search range while the room stayed at 283 ms); pa_simple
 * reports none of it. The canceller's own delay estimate shows it: once it has grown
 * GROWTH_MS past the first lock, the player should be restarted in the silence between
 * replies (nothing audible for QUIET_MS), which brings the latency back down; the
 * canceller then searches the delay again at the next reply, as it does after any restart.
 */
export class PlaybackLatencyWatch {
  private firstMs: number | undefined;
  private quietSince: number | undefined;

  constructor(private readonly growthMs = GROWTH_MS, private readonly quietMs = QUIET_MS) {}

  /**
   * One look, at `now` (ms): the canceller's delay (undefined while none is found) and
   * whether the speaker sounds. Returns the restart due now, if one is.
   */
  update(now: number, delayMs: number | undefined, audible: boolean): LatencyRestart | undefined {
    if (audible) this.quietSince = undefined;
    else this.quietSince ??= now;
    if (delayMs === undefined) return undefined;
    this.firstMs ??= delayMs;
    if (delayMs - this.firstMs <= this.growthMs) return undefined;
    if (this.quietSince === undefined || now - this.quietSince < this.quietMs) return undefined;
    return { firstMs: this.firstMs, nowMs: delayMs };
  }

  /** The player was restarted: the next lock is the new first one. */
  restarted(): void {
    this.firstMs = undefined;
  }
}
