/** Offline speech recognition for input audio transcription. */
export interface Transcriber {
  readonly model: string;
  /** Recognizes one committed user turn (mono PCM16). Resolves '' for no words. */
  transcribe(pcm: Buffer, sampleRate: number, options?: { language?: string }): Promise<string>;
}
