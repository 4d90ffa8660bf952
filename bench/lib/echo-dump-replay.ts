import { readFileSync } from 'node:fs';
import type { AcousticEchoCanceller } from '../../src/audio/acoustic-echo-canceller.js';

const RATE = 24000;

export interface EchoDump {
  mic: Int16Array;
  ref: Int16Array;
  /** events.tsv's rows (kind, at, time, samples), the header left out. */
  rows: string[][];
}

export function loadEchoDump(dir: string): EchoDump {
  const load = (name: string): Int16Array => { const b = readFileSync(`${dir}/${name}`); return new Int16Array(b.buffer, b.byteOffset, b.length >> 1); };
  const rows = readFileSync(`${dir}/events.tsv`, 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
  return { mic: load('mic.raw'), ref: load('ref.raw'), rows };
}

export interface ReplayOptions {
  /** Leave out the under-runs the player reported (as if it had not). */
  withoutUnderruns?: boolean;
  /** Sees each chunk before it is processed: where it starts in the dump, and when (kaiwa's clock) its first sample was heard. */
  onChunk?: (at: number, heardAt: number, samples: number) => void;
}

/**
 * Feeds a KAIWA_ECHO_DUMP capture to a canceller exactly as kaiwa did (InProcessEchoGuard):
 * the chunks as they came, a clear breaking the timeline once the speaker next sounds,
 * the under-runs the player reported. Returns the output, as long as the microphone.
 */
export function replayEchoDump(dump: EchoDump, canceller: AcousticEchoCanceller, options: ReplayOptions = {}): Int16Array {
  const { mic, ref, rows } = dump;
  const out = new Int16Array(mic.length);
  const timed = rows.filter((r) => r[0] === 'cleared' || r[0] === 'sounding' || (r[0] === 'underrun' && !options.withoutUnderruns));
  let next = 0;
  let clearedSince = false;
  let at = 0;
  for (const row of rows.filter((r) => r[0] === 'captured')) {
    const [arrived, heardAt, samples] = [Number(row[1]), Number(row[2]), Number(row[3])];
    for (; next < timed.length && Number(timed[next]![1]) <= arrived; next++) {
      const [kind, , from] = timed[next]!;
      if (kind === 'cleared') clearedSince = true;
      else if (kind === 'sounding' && clearedSince) { clearedSince = false; canceller.timelineBroken(); }
      else if (kind === 'underrun') canceller.timelineSuspect(Math.round(((Number(from) - heardAt) * RATE) / 1000));
    }
    if (at + samples > mic.length) break;
    options.onChunk?.(at, heardAt, samples);
    out.set(canceller.process(mic.subarray(at, at + samples), ref.subarray(at, at + samples)), at);
    at += samples;
  }
  return out;
}
