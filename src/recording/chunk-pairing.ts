/**
 * Each audio chunk reaches the recorder twice: as a protocol event (whose JSON line must
 * say where the chunk sits in the WAV) and as PCM for the WAV itself, in either order.
 * Whichever arrives first decides the chunk's place; the second finds that place here.
 */

export interface Placement {
  start: number;
  /** True when the other half had already placed the chunk. */
  paired: boolean;
}

interface Waiting {
  key: string;
  start: number;
  atMs: number;
}

/** Past this, a waiting placement belongs to a chunk whose other half never came (audio dropped under backpressure, say). */
const MAX_WAIT_MS = 1000;
const MAX_WAITING = 64;

export class ChunkPairing {
  private readonly eventsWaiting: Waiting[] = [];
  private readonly audioWaiting: Waiting[] = [];

  /** The event half of a chunk: its start frame, decided by `place` if the audio has not come yet. */
  fromEvent(key: string, nowMs: number, place: () => number): Placement {
    return this.pair(this.audioWaiting, this.eventsWaiting, key, nowMs, place);
  }

  /** The audio half of a chunk: its start frame, decided by `place` if the event has not come yet. */
  fromAudio(key: string, nowMs: number, place: () => number): Placement {
    return this.pair(this.eventsWaiting, this.audioWaiting, key, nowMs, place);
  }

  private pair(other: Waiting[], own: Waiting[], key: string, nowMs: number, place: () => number): Placement {
    dropStale(other, nowMs);
    const index = other.findIndex((waiting) => waiting.key === key);
    if (index >= 0) {
      // Halves arrive in order, so anything of this key queued before the match lost its partner.
      const match = other[index]!;
      removeUpTo(other, index, key);
      return { start: match.start, paired: true };
    }
    const start = place();
    own.push({ key, start, atMs: nowMs });
    if (own.length > MAX_WAITING) own.shift();
    return { start, paired: false };
  }
}

function dropStale(list: Waiting[], nowMs: number): void {
  while (list.length > 0 && nowMs - list[0]!.atMs > MAX_WAIT_MS) list.shift();
}

function removeUpTo(list: Waiting[], index: number, key: string): void {
  for (let i = index; i >= 0; i--) if (list[i]!.key === key) list.splice(i, 1);
}
