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

/** Why the gate is closed (undefined: open). */
export type GateClosedBy = 'muted' | 'loop pause' | 'push-to-talk released' | 'assistant audible' | 'echo tail' | 'echo still arriving';

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
  private closedBy: GateClosedBy | undefined;

  /** `onChange`: told when the gate opens or closes, and why (the --debug log says so). */
  constructor(
    private readonly pushToTalk: boolean,
    private readonly halfDuplex?: HalfDuplexOptions,
    private readonly onChange?: (closedBy: GateClosedBy | undefined, meanSquare: number | undefined) => void,
  ) {}

  /** `pcm`: the chunk being decided on, so half-duplex can tell an echo still arriving. */
  isOpen(pcm?: Buffer): boolean {
    // Only half-duplex listens for a late echo: nobody else pays for the level.
    const level = pcm && this.halfDuplex ? meanSquare(pcm) : undefined;
    if (level !== undefined) this.floor.update(level);
    const closedBy = this.closedByNow(level);
    if (closedBy !== this.closedBy) {
      this.closedBy = closedBy;
      this.onChange?.(closedBy, level);
    }
    return closedBy === undefined;
  }

  private closedByNow(level: number | undefined): GateClosedBy | undefined {
    if (this.muted) return 'muted';
    if (this.pausedForLoop) return 'loop pause';
    if (this.pushToTalk && !this.talking) return 'push-to-talk released';
    return this.assistantMayBeHeard(level);
  }

  private assistantMayBeHeard(level: number | undefined): GateClosedBy | undefined {
    if (!this.halfDuplex) return undefined;
    const now = (this.halfDuplex.now ?? (() => performance.now()))();
    if (this.halfDuplex.audible()) {
      this.lastAudibleAt = now;
      this.echoDied = false;
      return 'assistant audible';
    }
    const sinceMs = now - this.lastAudibleAt;
    if (sinceMs < this.halfDuplex.tailMs) return 'echo tail';
    if (this.echoDied || sinceMs >= (this.halfDuplex.maxTailMs ?? MAX_TAIL_MS)) return undefined;
    this.echoDied = level === undefined || level < this.floor.value * 10 ** (ECHO_OVER_FLOOR_DB / 10);
    return this.echoDied ? undefined : 'echo still arriving';
  }
}
