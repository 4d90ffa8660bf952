/**
 * Stand-in speech parts for protocol tests, so event order and timing can be checked
 * exactly without depending on a real recognizer or voice: a tone "synthesizer", an
 * energy "detector" and a fixed-text "transcriber" (plus espeak-ng speech for the real detector).
 */
import { execFileSync } from 'node:child_process';
import type { SpeechDetector, SpeechDetectorOptions, SpeechBoundary } from '../../src/server/speech/speech-detector.js';
import type { Synthesizer, SynthesisOptions } from '../../src/server/speech/synthesizer.js';
import type { Transcriber } from '../../src/server/speech/transcriber.js';
import type { LiveUtterance, StreamingRecognizer } from '../../src/server/speech/streaming-recognizer.js';
import type { SpeechParts } from '../../src/server/speech-parts.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

export function tone(ms: number, sampleRate = 24000, amplitude = 8000, hz = 440): Buffer {
  const samples = Math.round((ms * sampleRate) / 1000);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate)), i * 2);
  return pcm;
}

export function silence(ms: number, sampleRate = 24000): Buffer {
  return Buffer.alloc(Math.round((ms * sampleRate) / 1000) * 2);
}

export class ToneSynthesizer implements Synthesizer {
  readonly texts: string[] = [];

  constructor(private readonly msPerChar = 20, private readonly chunkMs = 250, private readonly delayMs = 0) {}

  async *synthesize(text: string, options: SynthesisOptions): AsyncIterable<Buffer> {
    this.texts.push(text);
    const pcm = tone(text.length * this.msPerChar, options.sampleRate);
    const step = Math.round((this.chunkMs * options.sampleRate) / 1000) * 2;
    for (let offset = 0; offset < pcm.length; offset += step) {
      if (options.signal?.aborted) return;
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      yield pcm.subarray(offset, offset + step);
    }
  }
}

/** Speech = 10 ms frames whose RMS exceeds a level scaled by the threshold. */
export class EnergyDetector implements SpeechDetector {
  private frame = Buffer.alloc(0);
  private processedMs = 0;
  private lastSpeechEnd = 0;
  private inSpeech = false;
  private paused = false;

  constructor(private readonly options: SpeechDetectorOptions) {}

  get speaking(): boolean {
    return this.inSpeech;
  }

  push(pcm: Buffer): SpeechBoundary[] {
    const boundaries: SpeechBoundary[] = [];
    const frameBytes = (this.options.sampleRate / 100) * 2;
    this.frame = Buffer.concat([this.frame, pcm]);
    while (this.frame.length >= frameBytes) {
      const loud = rms(this.frame.subarray(0, frameBytes)) > 2000 * this.options.threshold;
      this.frame = this.frame.subarray(frameBytes);
      const start = this.processedMs;
      this.processedMs += 10;
      const silentMs = this.processedMs - this.lastSpeechEnd;
      if (loud) {
        if (!this.inSpeech) {
          this.inSpeech = true;
          boundaries.push({ type: 'start', audioMs: start });
        } else if (this.paused) {
          this.paused = false;
          boundaries.push({ type: 'resume', audioMs: start });
        }
        this.lastSpeechEnd = this.processedMs;
      } else if (this.inSpeech && silentMs >= this.options.silenceDurationMs) {
        this.inSpeech = false;
        this.paused = false;
        boundaries.push({ type: 'stop', audioMs: this.lastSpeechEnd });
      } else if (this.inSpeech && !this.paused && this.options.pauseAfterMs !== undefined && silentMs >= this.options.pauseAfterMs) {
        this.paused = true;
        boundaries.push({ type: 'pause', audioMs: this.lastSpeechEnd });
      }
    }
    return boundaries;
  }

  reset(): void {
    this.inSpeech = false;
    this.paused = false;
  }
}

/** A streaming recognizer that records what it is told and answers with fixed words (or fails). */
export class RecordingRecognizer implements StreamingRecognizer {
  readonly utterances: RecordedUtterance[] = [];

  constructor(private readonly words: string | Error = 'words heard live') {}

  begin(sampleRate: number): LiveUtterance {
    const utterance = new RecordedUtterance(sampleRate, this.words);
    this.utterances.push(utterance);
    return utterance;
  }

  close(): void {}
}

export class RecordedUtterance implements LiveUtterance {
  /** 'write' entries carry their byte count. */
  readonly log: string[] = [];
  bytes = 0;

  constructor(readonly sampleRate: number, private readonly words: string | Error) {}

  write(pcm: Buffer): void {
    this.bytes += pcm.length;
    if (this.log.at(-1) !== 'write') this.log.push('write');
  }

  pause(): Promise<string> {
    this.log.push('pause');
    return this.words instanceof Error ? Promise.reject(this.words) : Promise.resolve(this.words);
  }

  resume(): void { this.log.push('resume'); }
  abort(): void { this.log.push('abort'); }

  finish(): Promise<string> {
    this.log.push('finish');
    return this.words instanceof Error ? Promise.reject(this.words) : Promise.resolve(this.words);
  }
}

function rms(pcm: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) sum += pcm.readInt16LE(i) ** 2;
  return Math.sqrt(sum / (pcm.length / 2));
}

export class FixedTranscriber implements Transcriber {
  readonly model = 'fixed-test-transcriber';
  readonly calls: Array<{ bytes: number; sampleRate: number }> = [];

  constructor(private readonly text = 'hello from the test') {}

  async transcribe(pcm: Buffer, sampleRate: number): Promise<string> {
    this.calls.push({ bytes: pcm.length, sampleRate });
    return this.text;
  }
}

export function fakeSpeech(overrides: Partial<SpeechParts> = {}): SpeechParts {
  return {
    createDetector: (options) => new EnergyDetector(options),
    transcriber: new FixedTranscriber(),
    synthesizer: new ToneSynthesizer(),
    ...overrides,
  };
}

/** Real speech for turn-detection tests: espeak-ng's voice as mono PCM16 at `sampleRate` (via SoX). */
export function spokenPcm(text: string, sampleRate = 24000): Buffer {
  const wav = execFileSync('espeak-ng', ['--stdout', text], { maxBuffer: 64 * 1024 * 1024, env: espeakEnvironment() });
  // -D: no dither, so the same text is the same audio in every run (SoX seeds its dither randomly).
  return execFileSync('sox', ['-D', '-t', 'wav', '-', '-t', 'raw', '-r', String(sampleRate), '-e', 'signed', '-b', '16', '-c', '1', '-'], {
    input: wav, maxBuffer: 64 * 1024 * 1024,
  });
}
