/**
 * `kaiwa transcribe --input q.wav` with no key: the built-in local server takes the
 * transcription session, its VAD splits the file into turns and pocketsphinx transcribes
 * them. Real espeak-ng speech, real SoX, a real WebSocket; the word error rate is bounded
 * like the conversation's offline round trip.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKaiwa } from '../helpers/cli-runner.js';
import { TEST_SENTENCES } from '../helpers/speech-sentences.js';
import { wordErrorRate } from '../helpers/speech-wer.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

const dir = mkdtempSync(join(tmpdir(), 'kaiwa-transcribe-offline-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The sentences spoken one after another, with a pause long enough for the VAD to end each turn. */
function spokenSentences(sentences: readonly string[]): string {
  const parts = sentences.map((sentence, index) => {
    const raw = join(dir, `s${index}.espeak.wav`);
    execFileSync('espeak-ng', ['-v', 'en-us+f5', '-s', '160', '-w', raw, sentence], { env: espeakEnvironment() });
    const padded = join(dir, `s${index}.wav`);
    execFileSync('sox', [raw, '-r', '24000', padded, 'pad', '0.3', '1.0']);
    return padded;
  });
  const path = join(dir, 'q.wav');
  execFileSync('sox', [...parts, path]);
  return path;
}

test('no key: kaiwa transcribe --input q.wav captions each spoken sentence offline (word error rate reported)', async () => {
  const sentences = TEST_SENTENCES.slice(0, 5);
  const text = join(dir, 'q.txt');
  const result = await runKaiwa(['transcribe', '--input', spokenSentences(sentences), '--output-text', text], { timeoutMs: 90_000 });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /offline \(no OPENAI_API_KEY\)/);
  assert.match(result.stderr, /transcribed \d+ lines? from \d+ s of audio · free \(offline\)/);
  const lines = result.stdout.trim().split('\n');
  assert.equal(readFileSync(text, 'utf8'), result.stdout, '--output-text holds exactly the printed lines');
  const wer = wordErrorRate([{ reference: sentences.join(' '), hypothesis: lines.join(' ') }]);
  console.log(`kaiwa transcribe offline: ${lines.length} lines for ${sentences.length} sentences, word error rate ${(wer * 100).toFixed(1)} %`);
  for (const line of lines) console.log(`  heard: ${line}`);
  assert.ok(lines.length >= 3 && lines.length <= sentences.length + 2, `the VAD split the file into turns: ${lines.length} lines`);
  assert.ok(wer < 0.6, `word error rate ${wer}`);
});
