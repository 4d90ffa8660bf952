import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { runKaiwa, untilOutput } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { TEST_SENTENCES } from '../helpers/speech-sentences.js';
import { wordErrorRate } from '../helpers/speech-wer.js';
import { parseWav } from '../../src/audio/wav.js';
import { soundingSpans } from '../helpers/speaker-timeline.js';
import { espeakEnvironment } from '../../src/server/speech/espeak-install.js';

/** A question as a person would record it: espeak-ng's voice at 22.05 kHz with quiet around it. */
function questionWav(dir: string, text: string, index: number): string {
  const raw = join(dir, `q${index}.espeak.wav`);
  execFileSync('espeak-ng', ['-v', 'en-us+f5', '-s', '160', '-w', raw, text], { env: espeakEnvironment() });
  const path = join(dir, `q${index}.wav`);
  execFileSync('sox', [raw, path, 'pad', '0.4', '0.2']);
  return path;
}

test('no key: --input/--output/--once holds a spoken turn with the built-in server (word error rate reported)', async () => {
  const dir = tempDir();
  const sentences = TEST_SENTENCES.slice(0, 10);
  const pairs: Array<{ reference: string; hypothesis: string }> = [];
  for (let start = 0; start < sentences.length; start += 2) {
    await Promise.all(sentences.slice(start, start + 2).map(async (sentence, offset) => {
      const index = start + offset;
      const output = join(dir, `a${index}.wav`);
      const result = await runKaiwa(['--input', questionWav(dir, sentence, index), '--output', output, '--once', '--no-speaker'], { timeoutMs: 40_000 });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /^offline \(no OPENAI_API_KEY\)/m);
      const heard = result.stdout.match(/^you: (.*)$/m)?.[1] ?? '';
      assert.match(result.stdout, /^assistant: You said: /m, result.stdout);
      pairs.push({ reference: sentence, hypothesis: heard });
      const reply = parseWav(readFileSync(output));
      const seconds = reply.samples.length / reply.sampleRate;
      const words = (result.stdout.match(/^assistant: (.*)$/m)?.[1] ?? '').split(/\s+/).length;
      assert.ok(seconds > words * 0.15 && seconds < words * 0.8 + 1, `${seconds.toFixed(1)} s of reply audio for ${words} words`);
      assert.ok(soundingSpans(reply.samples, reply.sampleRate).length > 0, 'the reply is audible speech, not silence');
    }));
  }
  const wer = wordErrorRate(pairs);
  console.log(`offline round trip: word error rate ${(wer * 100).toFixed(1)} % over ${pairs.length} sentences`);
  for (const pair of pairs) console.log(`  said: ${pair.reference}\n  heard: ${pair.hypothesis}`);
  assert.ok(wer < 0.6, `word error rate ${wer}`);
});

/** Where a WAV's audio begins (after its data chunk's header) and how many bytes it holds. */
function dataChunk(wav: Buffer): { start: number; bytes: number } {
  const at = wav.indexOf('data', 12);
  return { start: at + 8, bytes: wav.readUInt32LE(at + 4) };
}

test('no key: a WAV piped in that asks the same question twice, the second once the first is answered, is answered twice and kaiwa ends by itself at its end: no empty turn after its trailing silence, no feedback-loop pause', async () => {
  const dir = tempDir();
  const question = questionWav(dir, 'Where is the nearest train station', 0);
  // A pause after the first (the echo engine answers before the second begins), and the file's own quiet end.
  const paused = join(dir, 'paused.wav');
  execFileSync('sox', [question, paused, 'pad', '0', '2.5']);
  const twice = join(dir, 'twice.wav');
  execFileSync('sox', [paused, question, twice, 'pad', '0', '0.6']);
  // Fed in two steps: the second question only once the first is answered (its usage line comes
  // with response.done), so a loaded machine cannot have it cut in while the first answer is under way.
  const wav = readFileSync(twice);
  const split = dataChunk(wav).start + dataChunk(readFileSync(paused)).bytes;
  let fed: Promise<void> | undefined;
  const result = await runKaiwa(['--input', '-', '--no-speaker'], {
    keepStdinOpen: true, timeoutMs: 90_000,
    onSpawn: (child, output) => {
      child.stdin.on('error', () => undefined);
      child.stdin.write(wav.subarray(0, split));
      fed = untilOutput(child, output, 'stderr', (text) => /^usage: /m.test(text), { what: 'the answer to the first question (its usage line)', timeoutMs: 45_000 })
        .finally(() => child.stdin.end(wav.subarray(split)));
    },
  });
  await fed;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.match(/^assistant: You said: /gm)?.length, 2, result.stdout);
  assert.doesNotMatch(result.stdout, /I didn't catch anything/);
  assert.doesNotMatch(result.stderr, /feedback loop/);
  assert.match(result.stderr, /2 turns · 2 responses/);
});
