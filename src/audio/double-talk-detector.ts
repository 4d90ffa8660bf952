/** The residual must exceed the echo that could be left by this much (9 dB) to be someone talking. */
const NEAR_END_FACTOR = 8;
/** ...and stand this far (6 dB) above the microphone's noise. */
const NOISE_FACTOR = 4;
/**
 * ...and either the microphone is louder than the echo alone could make it (3 dB), or
 * the filter's echo estimate still matches the echo in the microphone. A filter that
 * suddenly stops cancelling (the echo moved under it) leaves a residual as loud as
 * the echo, which would otherwise pass for someone talking and keep the meters and the
 * suppressor from seeing that the echo is back; but a voice in the room does not change
 * how much of the estimate the microphone holds, a moved echo does.
 */
const MIC_FACTOR = 2;
/**
 * Talk is evidenced once some of the residual (10 % of its power) stands beyond the far
 * end's whole echo in its own bins (NearEndEvidence). What the energies alone take for
 * talk in blocks of echo alone is a residual that fluctuates above its average (13 % of
 * such blocks on the synthetic scenes, 9 % on the live loop), never a spectrum the far end
 * cannot have made: talk not evidenced yet is suppressed as echo (see `evidenced`).
 */
const ONSET_SHARE = 0.1;
/**
 * Half the residual far beyond the whole echo (9 dB) is a voice whatever else is said:
 * even where the filter has learnt little (a barge-in early in the first reply), or the
 * residual is still partly coherent with the far end (the coherence is averaged over ~10
 * blocks and lags a voice's onset)...
 */
const CLEAR_SHARE = 0.5;
/**
 * ...provided the filter removes this much (6 dB), or the microphone is louder than the
 * whole echo could make it: a room colours its echo (a bin 10 dB above the broadband
 * coupling), and before the filter removes some of it, such a bin passed for a voice on
 * the synthetic scenes (a 0 dB room: 19.7 dB removed in the first second instead of 29.7).
 */
const LEARNT_ERLE_DB = 6;
/** What the detector is told about a block (energies: sums of squares over it). */
export interface DoubleTalkBlock {
  mic: number;
  /** After the linear filter. */
  residual: number;
  /** The far end as its echo arrives, held over the room's reverberation... */
  reference: number;
  /** ...and the loudest it was over the last few blocks (the echo lags it by up to one). */
  loudestReference: number;
  coupling: number;
  erleDb: number;
  /** The floor's mean square times the block length. */
  noise: number;
  /**
   * Whether the microphone holds the filter's echo estimate at its own level: 'differs'
   * only when plainly not (a voice over the echo blurs the measure by chance), 'unknown'
   * when it cannot be told (no estimate, or somewhere in between).
   */
  estimate: 'matches' | 'differs' | 'unknown';
  /**
   * The residual is coherent with the far end (EchoCoherence): echo the filter failed to
   * remove, which no energy rule can tell from a voice. Such a block never is talk, nor
   * continues it.
   */
  echoCoherent?: boolean;
  /**
   * Share of the residual's power beyond the far end's whole echo in its own bins
   * (NearEndEvidence); undefined where no filter runs (no delay known, or the far end
   * silent for a while), and then not asked for.
   */
  nearEnd?: number;
  /** The share of it far beyond the echo (NearEndEvidence.farShare): half of it is talk. */
  farNearEnd?: number;
}

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
  private loud = false;
  private talkEvidenced = false;

  /** Talk goes on (what the last update returned). */
  get talking(): boolean {
    return this.hangover > 0;
  }

  /** The last block's microphone was louder than the echo alone could make it. */
  get louderThanEcho(): boolean {
    return this.loud;
  }

  /**
   * The talk going on has shown, in one of its blocks so far, a spectrum the far end cannot
   * have made (or there was nothing to tell it by: no filter running).
   */
  get evidenced(): boolean {
    return this.talkEvidenced;
  }

  update(block: DoubleTalkBlock): boolean {
    const { mic, residual, coupling, noise, estimate } = block;
    const expected = coupling * block.reference * 10 ** (-Math.max(block.erleDb, 0) / 10);
    const beyondEcho = residual > NEAR_END_FACTOR * expected + NOISE_FACTOR * noise && residual > NOISE_FACTOR * noise;
    const loud = mic > MIC_FACTOR * coupling * block.loudestReference + noise;
    this.loud = loud;
    const clear = (loud || block.erleDb >= LEARNT_ERLE_DB) && block.farNearEnd !== undefined && block.farNearEnd >= CLEAR_SHARE && residual > NOISE_FACTOR * noise;
    const evidence = block.nearEnd === undefined || block.nearEnd >= ONSET_SHARE;
    const talking = clear || (!block.echoCoherent && beyondEcho && (loud || estimate === 'matches'));
    // Between syllables talk goes on, unless the filter is seen to have slipped meanwhile.
    // It also ends once the residual is plainly echo: a hangover would let the filter's failure through.
    const slipped = !clear && ((beyondEcho && !loud && estimate === 'differs') || block.echoCoherent === true);
    const wasTalking = this.hangover > 0;
    this.hangover = talking ? HANGOVER_BLOCKS : slipped ? 0 : Math.max(this.hangover - 1, 0);
    this.talkEvidenced = this.hangover > 0 && ((wasTalking && this.talkEvidenced) || (talking && evidence));
    return this.hangover > 0;
  }
}
