import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

export { tempDir } from './temp-dir.js';

/** Speech made by espeak-ng, converted by SoX to the given rate and channel count. */
export function speechWav(dir: string, text: string, rate: number, channels = 1, name = 'speech.wav'): string {
  const raw = join(dir, `${name}.espeak.wav`);
  execFileSync('espeak-ng', ['-w', raw, text], { env: espeakEnvironment() });
  const out = join(dir, name);
  execFileSync('sox', [raw, '-r', String(rate), '-c', String(channels), '-b', '16', '-e', 'signed-integer', out]);
  return out;
}

/** The data chunk of a canonical 44-byte-header PCM WAV written by SoX. */
export function wavData(path: string): Buffer {
  const file = readFileSync(path);
  const at = file.indexOf('data', 12);
  return file.subarray(at + 8, at + 8 + file.readUInt32LE(at + 4));
}

/** Raw audio converted by SoX itself: an independent reference for kaiwa's codecs. */
export function soxConvert(input: Buffer, from: string[], to: string[]): Buffer {
  // -D: SoX dithers when it reduces bit depth, which would make the reference random.
  return execFileSync('sox', ['-D', ...from, '-', ...to, '-'], { input, maxBuffer: 64 * 1024 * 1024 });
}
