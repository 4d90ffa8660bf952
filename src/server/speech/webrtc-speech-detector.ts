/**
 * kaiwa serve's SpeechDetector: WebRTC VAD decisions, gated by an energy margin over
 * the tracked noise floor, segmented into start/stop boundaries. Input at rates the
 * VAD can't take (24 kHz for pcm16 sessions) is resampled to 16 kHz first.
 */
import { StreamingResampler } from '../../audio/resample.js';
import { WholeSampleChunker, bufferToInt16 } from '../../audio/pcm16.js';
import type { SpeechBoundary, SpeechDetector, SpeechDetectorOptions } from './speech-detector.js';
import { NoiseFloor, frameLevelDbfs } from './noise-floor.js';
import { PcmFramer } from './pcm-framer.js';
import { SpeechSegmenter } from './speech-segmenter.js';
import { vadSensitivity, type VadSensitivity } from './vad-sensitivity.js';
import { VAD_FRAME_MS, WEBRTC_VAD_RATES, WebRtcVad, loadWebRtcVadModule, type FvadApi } from './webrtc-vad.js';

/** Bursts shorter than this (clicks, a cough's edge) are not a turn. */
export const DEFAULT_MIN_SPEECH_MS = 100;
/**
 * The detector needs speech energy, not fidelity: a short resampling filter costs an
 * eighth of the default one (which was 61 % of kaiwa serve's CPU under load).
 */
const VAD_RESAMPLER_ZERO_CROSSINGS = 4;
/** WebRTC VAD decimates everything to 8 kHz internally; 16 kHz keeps the energy gate's frames rich. */
const FALLBACK_VAD_RATE = 16000;

export type SpeechDetectorFactory = (options: SpeechDetectorOptions) => SpeechDetector;

/** Loads the wasm once and returns a synchronous factory (what SpeechParts.createDetector wants). */
export async function loadSpeechDetectorFactory(): Promise<SpeechDetectorFactory> {
  const module = await loadWebRtcVadModule();
  return (options) => new WebRtcSpeechDetector(module, options);
}

export async function createSpeechDetector(options: SpeechDetectorOptions): Promise<SpeechDetector> {
  return (await loadSpeechDetectorFactory())(options);
}

export class WebRtcSpeechDetector implements SpeechDetector {
  private readonly vad: WebRtcVad;
  private readonly sensitivity: VadSensitivity;
  private readonly chunker = new WholeSampleChunker();
  private readonly resampler: StreamingResampler | undefined;
  private readonly framer: PcmFramer;
  private readonly noiseFloor = new NoiseFloor(VAD_FRAME_MS);
  private readonly segmenter: SpeechSegmenter;
  private framesSeen = 0;

  constructor(module: FvadApi, options: SpeechDetectorOptions) {
    this.sensitivity = vadSensitivity(options.threshold);
    const vadRate = WEBRTC_VAD_RATES.includes(options.sampleRate) ? options.sampleRate : FALLBACK_VAD_RATE;
    this.resampler = vadRate === options.sampleRate ? undefined : new StreamingResampler(options.sampleRate, vadRate, { zeroCrossings: VAD_RESAMPLER_ZERO_CROSSINGS });
    this.vad = new WebRtcVad(module, vadRate, this.sensitivity.mode);
    this.framer = new PcmFramer(this.vad.frameSamples);
    this.segmenter = new SpeechSegmenter({
      silenceDurationMs: options.silenceDurationMs,
      minSpeechMs: options.minSpeechMs ?? DEFAULT_MIN_SPEECH_MS,
      ...(options.pauseAfterMs === undefined ? {} : { pauseAfterMs: options.pauseAfterMs }),
    });
  }

  get speaking(): boolean {
    return this.segmenter.speaking;
  }

  push(pcm: Buffer): SpeechBoundary[] {
    const samples = bufferToInt16(this.chunker.push(pcm));
    const atVadRate = this.resampler ? this.resampler.push(samples) : samples;
    const boundaries: SpeechBoundary[] = [];
    for (const frame of this.framer.push(atVadRate)) {
      const boundary = this.classify(frame);
      if (boundary) boundaries.push(boundary);
    }
    return boundaries;
  }

  /** Keeps the noise estimate and the VAD's adaptation: the room has not changed. */
  reset(): void {
    this.segmenter.reset();
  }

  /** Frees the wasm memory now rather than at garbage collection. */
  dispose(): void {
    this.vad.dispose();
  }

  private classify(frame: Int16Array): SpeechBoundary | undefined {
    const startMs = this.framesSeen * VAD_FRAME_MS;
    this.framesSeen++;
    return this.segmenter.frame(this.isSpeech(frame), startMs, startMs + VAD_FRAME_MS);
  }

  private isSpeech(frame: Int16Array): boolean {
    const level = frameLevelDbfs(frame);
    const floor = this.noiseFloor.update(level);
    // The VAD runs on every frame, even quiet ones, so its own noise model keeps adapting.
    const vadSaysSpeech = this.vad.isSpeech(frame);
    const loudEnough = level >= this.sensitivity.minimumLevelDbfs && level >= floor + this.sensitivity.marginDb;
    return vadSaysSpeech && loudEnough;
  }
}
