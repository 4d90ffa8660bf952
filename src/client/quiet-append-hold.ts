import { meanSquare } from '../audio/pcm16.js';

/** A quiet room is -60 to -70 dBFS, the softest speech about -40: a chunk under this holds no start of speech. */
const SOUNDS_ABOVE_DBFS = -50;
const SOUNDS_ABOVE_MEAN_SQUARE = (32768 * 10 ** (SOUNDS_ABOVE_DBFS / 20)) ** 2;
/**
 * Longer than the silence after which server VAD ends a turn (200-500 ms as usually set),
 * and than its speech_started takes to come: until then, speech it heard is not yet known here.
 */
const QUIET_FOR_MS = 1000;

/**
 * Whether captured audio may wait for the next chunk before it is appended. It may when
 * nothing in it sounds, nothing sounded for the last second of audio, and the server
 * hears no speech in progress (a semantic VAD that waits longer says so): then no
 * decision of the server's waits on it. A turn's end is decided by then, and the first
 * chunk that sounds is sent at once, with what waited before it; only a start of speech
 * softer than -50 dBFS could wait (for as long as the caller holds quiet chunks). Through
 * the long silences of a conversation (the assistant talking, the user listening) that
 * saves most of the appends, each of which costs a base64 encoding, a JSON event and a
 * WebSocket frame.
 */
export class QuietAppendHold {
  private quietMs = 0;

  /** `serverHearsSpeech`: between the server's speech_started and speech_stopped (the conversation state's userSpeaking). */
  constructor(private readonly sampleRate: number, private readonly serverHearsSpeech: () => boolean) {}

  /** Takes a captured chunk, as it will be sent: true if it may wait for the next one. */
  mayWait(pcm: Buffer): boolean {
    const sounds = meanSquare(pcm) > SOUNDS_ABOVE_MEAN_SQUARE;
    const ms = (pcm.length / 2 / this.sampleRate) * 1000;
    this.quietMs = sounds ? 0 : this.quietMs + ms;
    return this.quietMs >= QUIET_FOR_MS && !this.serverHearsSpeech();
  }
}
