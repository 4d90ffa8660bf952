/**
 * Writes the echo canceller's synthetic test scenes (test/helpers/echo-path.ts: espeak
 * speech through a room, 4 delays × 3 gains) as raw PCM16 for bench/speexdsp-compare.py,
 * which runs Debian's libspeexdsp on the same audio for comparison.
 *   node --import tsx bench/speexdsp-scenes.ts DIR
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { echoScene, farEndSpeech } from '../test/helpers/echo-path.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: speexdsp-scenes.ts DIR');
for (const delayMs of [60, 150, 300, 500]) {
  for (const gainDb of [-20, -6, 0]) {
    const scene = echoScene({ delayMs, gainDb, far: farEndSpeech(), noiseDbfs: -90 });
    const name = `${delayMs}_${-gainDb}`;
    writeFileSync(join(dir, `${name}.mic`), Buffer.from(scene.mic.buffer));
    writeFileSync(join(dir, `${name}.ref`), Buffer.from(scene.reference.buffer));
  }
}
