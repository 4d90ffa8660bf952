/**
 * The `input_audio_buffer.*` side of a session: decoding appended audio, the bounded
 * buffer, manual commit/clear, and server turn detection. It sends the buffer events
 * itself and hands committed turns to the session, which owns the conversation.
 */
import type { Logger } from '../logger.js';
import type { AudioFormatName } from '../protocol/audio-format.js';
import type { SpeechDetector, SpeechDetectorOptions } from './speech/speech-detector.js';
import type { HeardSoFar, LiveUtterance, StreamingRecognizer } from './speech/streaming-recognizer.js';
import type { Emit } from './outgoing-event.js';
import { defaultServerVad, type TurnDetectionConfig } from './session-state.js';
import { InputAudioBuffer } from './input-audio-buffer.js';
import { ProtocolFailure, invalidType, missingParameter } from './protocol-failure.js';
import { TurnDetector, turnSettings, type TurnSettings } from './turn-detector.js';
import { SemanticEndpoint } from './semantic-endpoint.js';
import { decodeWireAudio, pcmRateOf } from './wire-audio.js';
import { newId } from './ids.js';

/** The service refuses to commit less than this. */
export const MIN_COMMIT_MS = 100;
/** Silence kept ahead of possible speech beyond the prefix padding (detectors confirm speech late). */
const IDLE_KEEP_EXTRA_MS = 1000;

export interface TurnHandler {
  /** Speech began: the session may interrupt the assistant. */
  speechStarted(settings: TurnSettings): void;
  /**
   * Audio became a user item (the session sends `committed`); `turn` set when VAD ended
   * the turn, `liveTranscript` when the streaming recognizer followed it as it was spoken.
   */
  committed(itemId: string, pcm: Buffer, sampleRate: number, turn: TurnSettings | undefined, liveTranscript?: Promise<string>): void;
}

export interface AudioInputParts {
  createDetector: ((options: SpeechDetectorOptions) => SpeechDetector) | undefined;
  recognizer: StreamingRecognizer | undefined;
  /** Told the words of a detected turn while the user speaks, when the streaming recognizer can tell them. */
  onHeard?: ((itemId: string, heard: HeardSoFar) => void) | undefined;
}

export class AudioInput {
  private format: AudioFormatName = 'pcm16';
  private readonly buffer: InputAudioBuffer;
  private turns: TurnDetector | undefined;
  private speechItemId: string | undefined;
  private live: LiveUtterance | undefined;
  /** Without turn detection: finds the pauses where the live utterance is cut into segments. */
  private pauses: TurnDetector | undefined;
  private endpoint: SemanticEndpoint | undefined;
  private warnedNoDetector = false;
  private turnConfig = 'null';

  constructor(
    private readonly emit: Emit,
    private readonly handler: TurnHandler,
    private readonly parts: AudioInputParts,
    private readonly logger: Logger,
    maxBufferMs: number,
  ) {
    this.buffer = new InputAudioBuffer(pcmRateOf(this.format), maxBufferMs);
  }

  /** Applies the session's input format and turn detection (on connect and every update). */
  configure(format: AudioFormatName, turnDetection: TurnDetectionConfig | null): void {
    const turnConfig = JSON.stringify(turnDetection);
    const formatChanged = format !== this.format;
    // Unchanged settings keep the detector, so an unrelated update mid-sentence loses no speech.
    if (!formatChanged && turnConfig === this.turnConfig) return;
    if (formatChanged) {
      this.format = format;
      this.buffer.changeRate(pcmRateOf(format));
    }
    this.turnConfig = turnConfig;
    this.speechItemId = undefined;
    this.abortLive();
    this.turns = turnDetection ? this.detectorFor(turnDetection) : undefined;
  }

  append(audio: unknown): void {
    if (audio === undefined) throw missingParameter('audio');
    // Not string(): an append may carry far more than its length limit for text.
    if (typeof audio !== 'string') throw invalidType('audio', 'a string', audio);
    const pcm = this.buffer.append(decodeWireAudio(audio, this.format, 'audio'));
    if (!this.turns) return this.followUncommitted(pcm);
    // Before the events: a pause or stop in this chunk comes after its audio.
    this.live?.write(pcm);
    for (const event of this.turns.push(pcm)) {
      if (event.type === 'started') this.onSpeechStarted(event.audioStartMs);
      else if (event.type === 'paused') this.onPaused(event.speechEndMs);
      else if (event.type === 'resumed') this.onResumed();
      else this.onSpeechStopped(event.audioStartMs, event.audioEndMs);
    }
    this.endpoint?.check();
    if (!this.turns.speaking) this.trimIdleAudio(this.turns.settings);
  }

  commit(): void {
    const durationMs = this.buffer.durationMs;
    if (durationMs < MIN_COMMIT_MS) {
      throw new ProtocolFailure(
        `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${durationMs.toFixed(2)}ms of audio.`,
        'input_audio_buffer_commit_empty', null,
      ).saying(`with under ${MIN_COMMIT_MS}ms of audio`);
    }
    const itemId = this.speechItemId ?? newId('item');
    this.speechItemId = undefined;
    this.turns?.reset();
    // The live utterance followed the buffer (without turn detection) or the speech in it
    // (with it: what comes before is what the detector heard as silence), so its words are
    // ready almost at once, however fast the audio came; batch recognition takes over if it failed.
    const liveTranscript = this.live?.finish();
    this.live = undefined;
    this.endpoint = undefined;
    this.pauses = undefined;
    const pcm = this.buffer.takeAll();
    this.handler.committed(itemId, pcm, this.buffer.rate, undefined, liveTranscript);
  }

  /**
   * The idle timeout fired: hands over the buffered audio as a turn when there is enough
   * of it to commit, and reports the span it covered either way.
   */
  timeout(): { itemId: string; audioStartMs: number; audioEndMs: number; pcm: Buffer | undefined; sampleRate: number } {
    const itemId = this.speechItemId ?? newId('item');
    this.speechItemId = undefined;
    this.turns?.reset();
    this.abortLive();
    const audioStartMs = Math.round(this.buffer.bufferStartMs);
    const audioEndMs = Math.round(this.buffer.sessionMs);
    const pcm = this.buffer.durationMs >= MIN_COMMIT_MS ? this.buffer.takeAll() : undefined;
    return { itemId, audioStartMs, audioEndMs, pcm, sampleRate: this.buffer.rate };
  }

  clear(): void {
    this.buffer.clear();
    this.turns?.reset();
    this.speechItemId = undefined;
    this.abortLive();
    this.emit({ type: 'input_audio_buffer.cleared' });
  }

  /** The session is over: a turn being recognized gives its decoder back. */
  close(): void {
    this.abortLive();
  }

  /**
   * Without turn detection the app commits by hand: the recognizer follows everything in
   * the buffer as it arrives, so a commit after audio streamed faster than real time does
   * not wait for a whole decoding.
   */
  private followUncommitted(pcm: Buffer): void {
    if (!this.live) {
      this.live = this.parts.recognizer?.begin(this.buffer.rate);
      if (!this.live) return;
      this.live.write(this.buffer.copyFrom(this.buffer.bufferStartMs));
      this.pauses = this.parts.createDetector ? this.detectorFor(defaultServerVad()) : undefined;
    } else {
      this.live.write(pcm);
    }
    this.cutAtPauses(pcm);
  }

  /**
   * The speaker's pauses end recognizer segments, as they do with turn detection: each
   * segment's final decoding pass runs while the audio after it arrives, so only the last
   * one is left at the commit, and long silences are not decoded at all.
   */
  private cutAtPauses(pcm: Buffer): void {
    for (const event of this.pauses?.push(pcm) ?? []) {
      if (event.type === 'paused' || event.type === 'stopped') void this.live?.pause().catch(() => undefined);
      else this.live?.resume();
    }
  }

  private onSpeechStarted(detectedStartMs: number): void {
    const audioStartMs = Math.max(detectedStartMs, Math.ceil(this.buffer.bufferStartMs));
    const itemId = newId('item');
    this.speechItemId = itemId;
    this.abortLive();
    this.live = this.parts.recognizer?.begin(this.buffer.rate);
    const onHeard = this.parts.onHeard;
    if (onHeard) this.live?.listen?.((heard) => onHeard(itemId, heard));
    this.live?.write(this.buffer.copyFrom(audioStartMs));
    const settleMs = this.turns!.settings.settleMs;
    if (this.live && settleMs !== undefined) {
      this.endpoint = new SemanticEndpoint(settleMs, () => this.buffer.sessionMs, () => this.endTurnNow());
    }
    this.emit({ type: 'input_audio_buffer.speech_started', audio_start_ms: audioStartMs, item_id: itemId });
    this.handler.speechStarted(this.turns!.settings);
  }

  private onSpeechStopped(audioStartMs: number, detectedEndMs: number): void {
    const itemId = this.speechItemId ?? newId('item');
    this.speechItemId = undefined;
    const audioEndMs = Math.min(detectedEndMs, Math.floor(this.buffer.sessionMs));
    this.emit({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: audioEndMs, item_id: itemId });
    const pcm = this.buffer.take(audioStartMs, audioEndMs);
    const liveTranscript = this.live?.finish();
    this.live = undefined;
    this.endpoint = undefined;
    this.handler.committed(itemId, pcm, this.buffer.rate, this.turns!.settings, liveTranscript);
  }

  private onPaused(speechEndMs: number): void {
    const words = this.live?.pause();
    if (!words) return;
    words.catch(() => undefined); // a failed segment fails finish(), where batch recognition takes over
    this.endpoint?.paused(speechEndMs, words);
  }

  private onResumed(): void {
    this.live?.resume();
    this.endpoint?.cancel();
  }

  /** semantic_vad heard a finished sentence: the turn ends before eagerness's full silence. */
  private endTurnNow(): void {
    const audioStartMs = this.turns?.endNow();
    if (audioStartMs === undefined) return;
    this.onSpeechStopped(audioStartMs, Math.floor(this.buffer.sessionMs));
  }

  private abortLive(): void {
    this.live?.abort();
    this.live = undefined;
    this.endpoint = undefined;
    this.pauses = undefined;
  }

  /** Without speech, only the padding that could precede the next turn is worth keeping. */
  private trimIdleAudio(settings: TurnSettings): void {
    const keepMs = settings.prefixPaddingMs + IDLE_KEEP_EXTRA_MS;
    if (this.buffer.durationMs > 2 * keepMs) this.buffer.trimBefore(this.buffer.sessionMs - keepMs);
  }

  private detectorFor(config: TurnDetectionConfig): TurnDetector | undefined {
    if (!this.parts.createDetector) {
      if (!this.warnedNoDetector) this.logger.log('warn', 'no speech detector available: turn detection is off, commit audio manually');
      this.warnedNoDetector = true;
      return undefined;
    }
    return new TurnDetector(turnSettings(config), this.buffer.rate, this.buffer.sessionMs, this.parts.createDetector);
  }
}
