/**
 * Assistant speech with espeak-ng: one process per sentence, streamed. espeak-ng writes
 * audio as it synthesizes, so the first chunk is out within milliseconds however long
 * the text; an abort kills the process at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { SynthesisOptions, Synthesizer } from './synthesizer.js';
import { espeakEnvironment, findEspeak, type EspeakInstall } from './espeak-install.js';
import { espeakLanguageFor } from './espeak-language.js';
import { espeakVariantFor, wordsPerMinute } from './espeak-voice-map.js';
import { EspeakPcmStream } from './espeak-pcm-stream.js';
import { trackSpeechChild } from './speech-children.js';

const STDERR_TAIL_CHARS = 1000;

export class EspeakSynthesizer implements Synthesizer {
  constructor(private readonly install: EspeakInstall) {}

  /** The espeak-ng arguments for a sentence (the text itself goes to stdin). */
  argumentsFor(text: string, options: Pick<SynthesisOptions, 'voice' | 'speed' | 'language'>): string[] {
    const language = espeakLanguageFor(text, options.language, this.install.languages);
    const voice = `${language}+${espeakVariantFor(options.voice)}`;
    // --stdin rather than an argument: text may start with '-' or exceed argv limits. -b 1: UTF-8.
    return ['--stdout', '--stdin', '-b', '1', '-v', voice, '-s', String(wordsPerMinute(options.speed))];
  }

  async *synthesize(text: string, options: SynthesisOptions): AsyncIterable<Buffer> {
    if (options.signal?.aborted || text.trim() === '') return;
    const child = spawn(this.install.binary, this.argumentsFor(text, options), { stdio: ['pipe', 'pipe', 'pipe'], env: espeakEnvironment() });
    trackSpeechChild(child);
    const kill = (): void => void child.kill('SIGKILL');
    options.signal?.addEventListener('abort', kill, { once: true });
    const exit = exitOf(child);
    child.stdin!.on('error', () => undefined); // EPIPE when killed before reading it all
    child.stdin!.end(text);
    const pcm = new EspeakPcmStream(options.sampleRate);
    try {
      for await (const bytes of child.stdout! as AsyncIterable<Buffer>) {
        if (options.signal?.aborted) return;
        yield* pcm.push(bytes);
      }
      const { code, signal, stderr } = await exit;
      if (options.signal?.aborted) return;
      if (code !== 0) throw new Error(`espeak-ng failed (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`);
      yield* pcm.end();
    } finally {
      options.signal?.removeEventListener('abort', kill);
      // Reached early when the consumer stops iterating; the process must not outlive the request.
      if (child.exitCode === null && child.signalCode === null) kill();
    }
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Never rejects: a spawn failure is reported like an exit, with the reason as stderr. */
function exitOf(child: ChildProcess): Promise<Exit> {
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
  });
  return new Promise((resolve) => {
    child.on('error', (error) => resolve({ code: null, signal: null, stderr: error.message }));
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

export type SynthesizerLookup = { synthesizer: EspeakSynthesizer } | { missing: string };

export async function findSynthesizer(binary?: string): Promise<SynthesizerLookup> {
  const install = await findEspeak(binary);
  return typeof install === 'string' ? { missing: install } : { synthesizer: new EspeakSynthesizer(install) };
}

/** Resolves undefined when espeak-ng is not installed. */
export async function createSynthesizer(binary?: string): Promise<EspeakSynthesizer | undefined> {
  const found = await findSynthesizer(binary);
  return 'synthesizer' in found ? found.synthesizer : undefined;
}
