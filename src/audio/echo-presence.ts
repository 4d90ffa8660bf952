/** Far-end time listened to before the microphone is judged to hear the speaker or not. */
const LISTEN_SECONDS = 1;
/** Under this share of that time with sound in the microphone, the speaker is not heard. */
const ABSENT_SHARE = 0.3;

/**
 * Whether the microphone hears the speaker at all. With headphones (or a microphone far
 * from a quiet speaker) no echo delay is ever found, and a canceller that treated all
 * that time as "the echo could be anywhere" would cut a user quieter than the assistant
 * for the whole conversation. Echo, at any delay (even beyond the range searched), makes
 * the microphone sound through most of the far end's speech; a room heard through
 * headphones is silent then, but for its user.
 *
 * Judged once over a second of far end (from when its echo, at any delay in the range,
 * would have arrived), and kept until echo is found: a user who talks over a later reply
 * must not make the speaker count as heard, and nothing else would tell them apart before
 * a delay is known.
 */
export class EchoPresence {
  private readonly blocksToListen: number;
  private listened = 0;
  private sounded = 0;
  private verdict: 'heard' | 'absent' | undefined;

  constructor(blockSeconds: number) {
    this.blocksToListen = Math.ceil(LISTEN_SECONDS / blockSeconds);
  }

  /** A block in which the far end's echo should be reaching the microphone, and whether the microphone held sound above its noise. */
  update(echoDue: boolean, micSounds: boolean): void {
    if (!echoDue || this.verdict !== undefined) return;
    this.listened += 1;
    if (micSounds) this.sounded += 1;
    if (this.listened >= this.blocksToListen) this.verdict = this.sounded < ABSENT_SHARE * this.listened ? 'absent' : 'heard';
  }

  /** The far end played a second with the microphone mostly quiet, and no echo was found since. */
  get absent(): boolean {
    return this.verdict === 'absent';
  }

  /** Echo was found (a delay is known): the speaker is heard; once the delay is lost, listening starts afresh. */
  found(): void {
    this.listened = 0;
    this.sounded = 0;
    this.verdict = undefined;
  }
}
