/** Offline speech synthesis for assistant audio. */
export interface SynthesisOptions {
  /** An OpenAI voice name (alloy, echo, …); mapped to a local voice. */
  voice: string;
  /** 0.25..1.5 like the API's `speed`. */
  speed: number;
  /** Output rate of the PCM16 chunks (24000 for pcm16 sessions, 8000 for G.711). */
  sampleRate: number;
  language?: string;
  signal?: AbortSignal;
}

export interface Synthesizer {
  /** Yields mono PCM16 chunks as soon as they are produced, not after the whole text. */
  synthesize(text: string, options: SynthesisOptions): AsyncIterable<Buffer>;
}
