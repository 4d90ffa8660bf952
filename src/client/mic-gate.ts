import { NoiseFloor } from '../audio/noise-floor.js';
import { meanSquare } from '../audio/pcm16.js';

export interface HalfDuplexOptions {
  audible: () => boolean;
  /** Closed at least this long after the assistant stops. */
  tailMs: number;
  /** While the microphone still hears the reply, closed at most this long after it stops. */
  maxTailMs?: number;
  now?: () => number;
}

/**
 * A speaker can sound later than kaiwa plays to it: Bluetooth and HDMI add 200-500 ms, a
 * starved sound server lets its stream's latency grow. The end of a reply then arrives
 * after the fixed tail, and would be taken for the user. So after the tail the gate stays
 * closed until the microphone falls back to its background level (or this long).
 */
const MAX_TAIL_MS = 1500;
/** Above the background by this much, a chunk may still be the reply's echo. */
const ECHO_OVER_FLOOR_DB = 12;

/**
 * Decides, chunk by chunk, whether captured audio may go to the server: not while muted,
 * only while talking in push-to-talk, not while the assistant is audible (plus a tail for
 * room echo) in half-duplex mode, and not while the loop detector has paused the mic.
 */
export class MicGate {
  muted = false;
  talking = false;
  pausedForLoop = false;
  private lastAudibleAt = -Infinity;
  /** The microphone went back to its background since the assistant last spoke. */
  private echoDied = true;
  private readonly floor = new NoiseFloor();

  constructor(
    private readonly pushToTalk: boolean,
    private readonly halfDuplex?: HalfDuplexOptions,
  ) {}

  /** `pcm`: the chunk being decided on, so half-duplex can tell an echo still arriving. */
  isOpen(pcm?: Buffer): boolean {
    // Only half-duplex listens for a late echo: nobody else pays for the level.
    const level = pcm && this.halfDuplex ? meanSquare(pcm) : undefined;
    if (level !== undefined) this.floor.update(level);
    if (this.muted || this.pausedForLoop) return false;
    if (this.pushToTalk && !this.talking) return false;
    return !this.assistantMayBeHeard(level);
  }

  private assistantMayBeHeard(level: number | undefined): boolean {
    if (!this.halfDuplex) return false;
    const now = (this.halfDuplex.now ?? (() => performance.now()))();
    if (this.halfDuplex.audible()) {
      this.lastAudibleAt = now;
      this.echoDied = false;
    }
    const sinceMs = now - this.lastAudibleAt;
    if (sinceMs < this.halfDuplex.tailMs) return true;
    if (this.echoDied || sinceMs >= (this.halfDuplex.maxTailMs ?? MAX_TAIL_MS)) return false;
    this.echoDied = level === undefined || level < this.floor.value * 10 ** (ECHO_OVER_FLOOR_DB / 10);
    return !this.echoDied;
  }
}
