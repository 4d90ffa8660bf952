/** Far-end time listened to before the microphone is judged to hear the speaker or not. */
const LISTEN_SECONDS = 0.5;
/** Under this share of that time with sound in the microphone, the speaker is not heard. */
const ABSENT_SHARE = 0.3;
/**
 * Once judged absent, a delay is trusted again only after the microphone sounded this much
 * more far-end time than it stayed quiet (echo of speech: ~2 s of far end; a user's
 * question over a reply is cut short by the barge-in long before).
 */
const TRUSTED_AGAIN_SECONDS = 1;

/**
 * Whether the microphone hears the speaker at all. With headphones (or a microphone far
 * from a quiet speaker) no echo delay is ever found, and a canceller that treated all
 * that time as "the echo could be anywhere" would cut a user quieter than the assistant
 * for the whole conversation. Echo, at any delay (even beyond the range searched), makes
 * the microphone sound through most of the far end's speech; a room heard through
 * headphones is silent then, but for its user.
 *
 * Judged once over half a second of far end (from when its echo, at any delay in the
 * range, would have arrived), and kept until a delay is found. Once absent, a delay is
 * not taken until sustained sound through the far end says the speaker may be heard
 * after all: a user talking over a reply must not lend the canceller a delay found by
 * chance in a voice that resembles the far end's (two synthetic voices of one pitch did).
 */
export class EchoPresence {
  private readonly blocksToListen: number;
  private readonly blocksToTrustAgain: number;
  private listened = 0;
  private sounded = 0;
  private evidence = 0;
  private verdict: 'heard' | 'absent' | undefined;
  private soundingAgain = false;

  constructor(blockSeconds: number) {
    this.blocksToListen = Math.ceil(LISTEN_SECONDS / blockSeconds);
    this.blocksToTrustAgain = Math.ceil(TRUSTED_AGAIN_SECONDS / blockSeconds);
  }

  /** A block in which the far end's echo should be reaching the microphone, and whether the microphone held sound above its noise. */
  update(echoDue: boolean, micSounds: boolean): void {
    if (!echoDue || this.verdict === 'heard') return;
    if (this.verdict === 'absent') return this.listenAgain(micSounds);
    this.listened += 1;
    if (micSounds) this.sounded += 1;
    if (this.listened >= this.blocksToListen) this.verdict = this.sounded < ABSENT_SHARE * this.listened ? 'absent' : 'heard';
  }

  /** The far end played half a second with the microphone mostly quiet, and no delay was found since. */
  get absent(): boolean {
    return this.verdict === 'absent';
  }

  /** A delay found now may be echo: the speaker was not judged absent, or has sounded through the far end since. */
  get delayTrusted(): boolean {
    return this.verdict !== 'absent' || this.soundingAgain;
  }

  /** Echo was found (a delay is known): the speaker is heard; once the delay is lost, listening starts afresh. */
  found(): void {
    this.listened = 0;
    this.sounded = 0;
    this.evidence = 0;
    this.verdict = undefined;
    this.soundingAgain = false;
  }

  private listenAgain(micSounds: boolean): void {
    this.evidence = Math.max(0, this.evidence + (micSounds ? 1 : -1));
    if (this.evidence >= this.blocksToTrustAgain) this.soundingAgain = true;
  }
}
