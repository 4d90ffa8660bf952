/**
 * `npm run bench -- --only voices` (or `node --import tsx bench/voices.ts`): the local voices
 * Debian offers, compared as kaiwa serve uses them. Each speaks the test sentences; the
 * offline recognizer (pocketsphinx) transcribes what it said; word error rate, time to the
 * first audio and synthesis time per second of speech are printed side by side.
 * Voices that are not installed are reported and skipped (apt-get install flite festival
 * festvox-us-slt-hts to have them all).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWav } from '../src/audio/wav.js';
import { findTranscriber } from '../src/server/speech/pocketsphinx-transcriber.js';
import type { Transcriber } from '../src/server/speech/transcriber.js';
import { TEST_SENTENCES } from '../test/helpers/speech-sentences.js';
import { wordErrorRate } from '../test/helpers/speech-wer.js';
import { median } from './lib/stats.js';

interface Voice {
  name: string;
  /** The command that writes the sentence as a WAV file at `out`. */
  command: (text: string, out: string) => [string, string[]];
}

const VOICES: Voice[] = [
  { name: 'espeak-ng (en-us+f5: kaiwa serve\'s voice for alloy, the default)', command: (text, out) => ['espeak-ng', ['-v', 'en-us+f5', '-w', out, text]] },
  { name: 'espeak-ng (en-us, its own default variant)', command: (text, out) => ['espeak-ng', ['-v', 'en-us', '-w', out, text]] },
  { name: 'flite (slt)', command: (text, out) => ['flite', ['-voice', 'slt', '-t', text, '-o', out]] },
  { name: 'flite (kal16)', command: (text, out) => ['flite', ['-voice', 'kal16', '-t', text, '-o', out]] },
  {
    name: 'festival HTS (cmu_us_slt_arctic_hts)',
    command: (text, out) => ['sh', ['-c', 'printf "%s" "$1" | text2wave -eval "(voice_cmu_us_slt_arctic_hts)" -o "$2"', 'sh', text, out]],
  },
];

interface Synthesis { firstByteMs: number; totalMs: number; pcm: Int16Array; sampleRate: number }

function synthesize(voice: Voice, text: string, dir: string): Promise<Synthesis> {
  const out = join(dir, 'out.wav');
  const [program, args] = voice.command(text, out);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      const totalMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`${program} exited ${code}: ${stderr.trim().split('\n')[0] ?? ''}`));
      const wav = parseWav(readFileSync(out));
      // These tools write the file at the end: the first audio is the whole synthesis time.
      resolve({ firstByteMs: totalMs, totalMs, pcm: wav.samples, sampleRate: wav.sampleRate });
    });
  });
}

async function recognizer(): Promise<Transcriber & { close(): void }> {
  const found = await findTranscriber();
  if ('missing' in found) throw new Error(`no recognizer: ${found.missing}`);
  return found.transcriber;
}

const dir = mkdtempSync(join(tmpdir(), 'kaiwa-voices-'));
const rows: string[] = [];
try {
  for (const voice of VOICES) {
    const pairs: Array<{ reference: string; hypothesis: string }> = [];
    const totals: number[] = [];
    const perSecond: number[] = [];
    // A recognizer per voice, adapted to it first (pocketsphinx adapts its cepstral mean over
    // utterances, as it does in a session): each voice is judged by a listener used to it.
    const transcriber = await recognizer();
    try {
      const spoken: Array<{ sentence: string; pcm: Buffer; rate: number }> = [];
      for (const sentence of TEST_SENTENCES) {
        const speech = await synthesize(voice, sentence, dir);
        const seconds = speech.pcm.length / speech.sampleRate;
        totals.push(speech.totalMs);
        perSecond.push(speech.totalMs / seconds);
        spoken.push({ sentence, pcm: Buffer.from(speech.pcm.buffer, speech.pcm.byteOffset, speech.pcm.byteLength), rate: speech.sampleRate });
      }
      for (const { pcm, rate } of spoken) await transcriber.transcribe(pcm, rate);
      for (const { sentence, pcm, rate } of spoken) pairs.push({ reference: sentence, hypothesis: await transcriber.transcribe(pcm, rate) });
      const wer = wordErrorRate(pairs) * 100;
      rows.push(`| ${voice.name} | ${wer.toFixed(1)} % | ${median(totals).toFixed(0)} ms | ${median(perSecond).toFixed(0)} ms |`);
      process.stderr.write(`${voice.name}: WER ${wer.toFixed(1)} %\n${pairs.map((p) => `  ${p.reference} → ${p.hypothesis}`).join('\n')}\n`);
    } catch (error) {
      rows.push(`| ${voice.name} | not available: ${(error as Error).message} | | |`);
    } finally {
      transcriber.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`\n| voice | recognizer WER (${TEST_SENTENCES.length} sentences) | synthesis per sentence, median | per second of speech |\n|---|---|---|---|\n${rows.join('\n')}\n`);
