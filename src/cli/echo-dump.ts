import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EchoGuardTap } from '../client/in-process-echo-guard.js';
import { makeDirectory } from '../make-directory.js';

/**
 * KAIWA_ECHO_DUMP=DIR: everything kaiwa's echo canceller is given, for offline analysis
 * (bench/echo-analyse.py, bench/echo-offline.ts): mic.raw, ref.raw and out.raw (PCM16 at
 * the session rate, the exact pairs and what came out) and events.tsv (per captured
 * chunk: arrival time, its place on the speaker's timeline, sample count; per piece the
 * speaker announced: when it sounds and how long; clears).
 */
export function echoDumpTap(dir: string | undefined): EchoGuardTap | undefined {
  if (!dir) return undefined;
  makeDirectory(dir);
  const file = (name: string): string => join(dir, name);
  for (const name of ['mic.raw', 'ref.raw', 'out.raw']) appendFileSync(file(name), Buffer.alloc(0), { flag: 'w' });
  appendFileSync(file('events.tsv'), 'kind\tat\ttime\tsamples\n', { flag: 'w' });
  // Ties kaiwa's clock to the wall clock, for events other processes log (Date.now()).
  appendFileSync(file('events.tsv'), `epoch\t${performance.now().toFixed(3)}\t${Date.now()}\t0\n`);
  const bytes = (samples: Int16Array): Buffer => Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const event = (kind: string, at: number, time: number, samples: number): void =>
    appendFileSync(file('events.tsv'), `${kind}\t${at.toFixed(3)}\t${time.toFixed(3)}\t${samples}\n`);
  return {
    captured(mic, reference, cleaned, arrivedAt, heardAt) {
      appendFileSync(file('mic.raw'), bytes(mic));
      appendFileSync(file('ref.raw'), bytes(reference));
      appendFileSync(file('out.raw'), bytes(cleaned));
      event('captured', arrivedAt, heardAt, mic.length);
    },
    sounding(samples, startsAt, at) { event('sounding', at, startsAt, samples); },
    cleared(from, at) { event('cleared', at, from, 0); },
    underrun(from, at) { event('underrun', at, from, 0); },
  };
}
