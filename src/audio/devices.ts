import type { EventEmitter } from 'node:events';

/**
 * Audio inside kaiwa is always mono signed 16-bit little-endian PCM at the session's
 * native rate (24 kHz for pcm16, 8 kHz for G.711). Encoding to the wire format happens
 * only at the protocol boundary, so devices, meters, VAD and recordings share one shape.
 */
export interface PcmFormat {
  readonly sampleRate: number;
}

/**
 * Something that produces audio: a microphone (SoX recorder) or a WAV file played in
 * real time. Emits 'data' (Buffer of PCM16 mono; a second argument, true, when the chunk
 * was held back and arrives well after it was heard: see HeldSource), 'end' (no more
 * audio), 'error' (Error).
 */
export interface AudioSource extends EventEmitter {
  readonly format: PcmFormat;
  start(): void;
  /** A device process: resolves once it runs, or with why it could not be started (e.g. SoX not installed). */
  started?(): Promise<Error | undefined>;
  /** Stops producing audio and releases any process or file it holds. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Something that consumes audio: a speaker (SoX player) or a WAV file.
 * Emits 'error' (Error) when the device fails.
 */
export interface AudioSink extends EventEmitter {
  readonly format: PcmFormat;
  write(pcm: Buffer): void;
  /** Drops audio that was written but not yet heard (barge-in). */
  clear(): void;
  /**
   * A device that must open before what is written sounds (SoX): undefined when it is open;
   * otherwise starts it and resolves once it may be open (ask again then). Without this
   * method, what is written sounds at once.
   */
  untilOpen?(): Promise<unknown> | undefined;
  /** Lets queued audio finish (drain) and releases the device. Idempotent. */
  close(): Promise<void>;
}
