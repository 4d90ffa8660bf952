/**
 * Speech pieces for the load test and the benchmarks: a voice that streams at real-time
 * speed, an engine that keeps talking, and espeak-ng speech made once and reused.
 */
import { execFileSync } from 'node:child_process';
import type { Synthesizer, SynthesisOptions } from '../../src/server/speech/synthesizer.js';
import type { EngineChunk, EngineRequest, ReplyEngine } from '../../src/server/engines/reply-engine.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

/**
 * A tone voice that yields `chunkMs` pieces on a real-time schedule, as a live voice
 * would: a minute of speech takes a minute to arrive. (kaiwa serve's espeak voice sends
 * as fast as espeak-ng writes, far faster than real time.)
 */
export class PacedToneSynthesizer implements Synthesizer {
  constructor(private readonly msPerChar = 60, private readonly chunkMs = 100) {}

  async *synthesize(text: string, options: SynthesisOptions): AsyncIterable<Buffer> {
    const rate = options.sampleRate;
    const totalSamples = Math.round((text.length * this.msPerChar * rate) / 1000);
    const step = Math.round((this.chunkMs * rate) / 1000);
    const started = performance.now();
    for (let offset = 0, k = 0; offset < totalSamples; offset += step, k++) {
      if (options.signal?.aborted) return;
      const wait = started + k * this.chunkMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (options.signal?.aborted) return;
      const samples = Math.min(step, totalSamples - offset);
      const pcm = Buffer.alloc(samples * 2);
      for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 330 * (offset + i)) / rate)), i * 2);
      yield pcm;
    }
  }
}

/** Answers anything with `sentences` sentences (with a paced voice: about 2 s each). */
export class TalkEngine implements ReplyEngine {
  readonly name = 'talk';

  constructor(private readonly sentences = 60) {}

  async *reply(request: EngineRequest): AsyncIterable<EngineChunk> {
    for (let i = 1; i <= this.sentences; i++) {
      for (const word of `This is sentence number ${i} of a long answer. `.match(/\S+\s*/g)!) {
        if (request.signal.aborted) return;
        yield { type: 'text', delta: word };
      }
    }
  }
}

const spoken = new Map<string, Buffer>();

/** espeak-ng saying `text`, as mono PCM16 at `sampleRate`; made once per process (no files left behind). */
export function espeakPcm(text: string, sampleRate = 24000): Buffer {
  const key = `${text}|${sampleRate}`;
  const known = spoken.get(key);
  if (known) return known;
  const wav = execFileSync('espeak-ng', ['--stdout', text], { maxBuffer: 64 * 1024 * 1024, env: espeakEnvironment() });
  const pcm = execFileSync('sox', ['-t', 'wav', '-', '-t', 'raw', '-r', String(sampleRate), '-e', 'signed', '-b', '16', '-c', '1', '-'], {
    input: wav, maxBuffer: 64 * 1024 * 1024,
  });
  spoken.set(key, pcm);
  return pcm;
}
