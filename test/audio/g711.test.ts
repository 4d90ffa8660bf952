import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from '../../src/audio/g711.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

const dir = audioTempDir('kaiwa-g711-');

type Law = 'mu-law' | 'a-law';
const codecs = {
  'mu-law': { encode: encodeUlaw, decode: decodeUlaw },
  'a-law': { encode: encodeAlaw, decode: decodeAlaw },
} as const;

/**
 * -D: SoX adds TPDF dither whenever the output has fewer bits than the input, which
 * would make its bytes random; the codec itself is what we compare.
 */
function soxEncode(pcm16: Buffer, law: Law): Buffer {
  const input = join(dir, `in-${law}.raw`);
  const output = join(dir, `out-${law}.raw`);
  writeFileSync(input, pcm16);
  execFileSync('sox', ['-D', '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', input, '-t', 'raw', '-e', law, output], { stdio: ['ignore', 'ignore', 'ignore'] });
  return readFileSync(output);
}

function soxDecode(encoded: Buffer, law: Law): Buffer {
  const input = join(dir, `enc-${law}.raw`);
  const output = join(dir, `dec-${law}.raw`);
  writeFileSync(input, encoded);
  execFileSync('sox', ['-t', 'raw', '-r', '8000', '-e', law, '-b', '8', '-c', '1', input, '-t', 'raw', '-e', 'signed', '-b', '16', output]);
  return readFileSync(output);
}

function everyInt16(): Buffer {
  const buf = Buffer.alloc(65536 * 2);
  for (let i = 0; i < 65536; i++) buf.writeInt16LE(i - 32768, i * 2);
  return buf;
}

/** Real speech at 8 kHz, as a phone line would carry it. */
function espeakSpeech8k(): Buffer {
  const wav = join(dir, 'speech.wav');
  execFileSync('espeak-ng', ['-w', wav, 'The quick brown fox jumps over the lazy dog, one two three.'], { env: espeakEnvironment() });
  return execFileSync('sox', ['-D', wav, '-t', 'raw', '-r', '8000', '-e', 'signed', '-b', '16', '-c', '1', '-'], { maxBuffer: 1 << 26 });
}

function firstDifference(a: Buffer, b: Buffer): string {
  const index = a.findIndex((byte, i) => byte !== b[i]);
  return index === -1 ? `lengths ${a.length} vs ${b.length}` : `first difference at byte ${index}: ${a[index]} vs ${b[index]}`;
}

const speech = espeakSpeech8k();

for (const law of ['mu-law', 'a-law'] as const) {
  describe(`G.711 ${law}`, () => {
    it('encodes all 65536 sample values to the same bytes as SoX', () => {
      const sweep = everyInt16();
      const ours = codecs[law].encode(sweep);
      const theirs = soxEncode(sweep, law);
      assert.ok(ours.equals(theirs), firstDifference(ours, theirs));
    });

    it('encodes espeak-ng speech to the same bytes as SoX', () => {
      assert.ok(speech.length > 8000, 'espeak-ng produced too little audio');
      const ours = codecs[law].encode(speech);
      const theirs = soxEncode(speech, law);
      assert.ok(ours.equals(theirs), firstDifference(ours, theirs));
    });

    it('decodes all 256 code bytes to the same PCM16 as SoX', () => {
      const allCodes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const ours = codecs[law].decode(allCodes);
      const theirs = soxDecode(allCodes, law);
      assert.ok(ours.equals(theirs), firstDifference(ours, theirs));
    });

    it('decodes SoX-encoded speech back to the same PCM16 as SoX does', () => {
      const encoded = soxEncode(speech, law);
      const ours = codecs[law].decode(encoded);
      assert.ok(ours.equals(soxDecode(encoded, law)));
    });

    it('survives a round trip with small error (quantisation, not corruption)', () => {
      const decoded = codecs[law].decode(codecs[law].encode(speech));
      let worstRelative = 0;
      for (let i = 0; i < speech.length; i += 2) {
        const original = speech.readInt16LE(i);
        const error = Math.abs(decoded.readInt16LE(i) - original);
        if (Math.abs(original) > 256) worstRelative = Math.max(worstRelative, error / Math.abs(original));
      }
      assert.ok(worstRelative < 0.07, `worst relative error ${worstRelative}`);
    });
  });
}
