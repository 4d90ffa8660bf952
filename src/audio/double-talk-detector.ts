/** The residual must exceed the echo that could be left by this much (9 dB) to be someone talking. */
const NEAR_END_FACTOR = 8;
/** ...and stand this far (6 dB) above the microphone's noise. */
const NOISE_FACTOR = 4;
/**
 * ...and either the microphone is louder than the echo alone would make it (3 dB), or
 * the filter still removes at least half of what it hears. A filter that suddenly stops
 * cancelling (the echo path moved) leaves a residual as loud as the microphone, which
 * without this would pass for someone talking, and keep the meters and the suppressor
 * from seeing that the echo is back.
 */
const MIC_FACTOR = 2;
const REMOVED_FACTOR = 0.5;
/** Talk continues this many blocks after the last one that showed it (syllable gaps). */
const HANGOVER_BLOCKS = 8;

/**
 * Double talk: the user speaking while the assistant's echo comes in. Told apart by
 * energy: after the filter, what is left of the echo can be at most the echo's level
 * (coupling × reference) less what the canceller removes (ERLE); a residual well above
 * that, and above the noise, is a voice in the room. While it lasts, the meters do not
 * count the block as echo (the user's voice is not a failure to cancel) and the coupling
 * is not learnt from it.
 */
export class DoubleTalkDetector {
  private hangover = 0;

  /** Energies are sums of squares over the block; noise is the floor's mean square times the block length. */
  update(mic: number, residual: number, reference: number, coupling: number, erleDb: number, noise: number): boolean {
    const echo = coupling * reference;
    const expected = echo * 10 ** (-Math.max(erleDb, 0) / 10);
    const talking = residual > NEAR_END_FACTOR * expected + NOISE_FACTOR * noise && residual > NOISE_FACTOR * noise
      && (mic > MIC_FACTOR * echo + noise || residual < REMOVED_FACTOR * mic);
    this.hangover = talking ? HANGOVER_BLOCKS : Math.max(this.hangover - 1, 0);
    return this.hangover > 0;
  }
}
