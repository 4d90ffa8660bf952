/**
 * One warm pocketsphinx_batch process. Loading the model takes about 0.3 s, as long
 * as recognizing a second of speech, so the process stays up between turns: its
 * control list is read from stdin line by line (each line names a raw 16 kHz file in
 * a private temp dir) and its hypotheses come back on stdout, one line per file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { int16ToBuffer } from '../../audio/pcm16.js';
import type { PocketsphinxInstall } from './pocketsphinx-install.js';
import { parseHypothesisLine } from './pocketsphinx-hypothesis.js';
import { setChildReferenced, trackSpeechChild } from './speech-children.js';

export const POCKETSPHINX_RATE = 16000;
const STDERR_TAIL_CHARS = 2000;
/** Recognition runs at roughly 0.3× real time on one core; the bound only catches a hung process. */
const TIMEOUT_BASE_MS = 15000;
const TIMEOUT_PER_AUDIO_SECOND_MS = 3000;

interface Request {
  id: string;
  file: string;
  resolve(text: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class PocketsphinxBatch {
  private readonly dir = mkdtempSync(join(tmpdir(), 'kaiwa-pocketsphinx-'));
  private child: ChildProcess | undefined;
  private queue: Request[] = [];
  private stderrTail = '';
  private nextId = 0;
  private closed = false;
  private readonly removeDirAtExit = (): void => rmSync(this.dir, { recursive: true, force: true });

  constructor(private readonly install: PocketsphinxInstall) {
    process.once('exit', this.removeDirAtExit);
  }

  /** Recognizes mono PCM16 at 16 kHz; resolves '' when no words were heard. */
  async recognize(samples: Int16Array): Promise<string> {
    if (this.closed) throw new Error('pocketsphinx: recognizer is closed');
    const id = `u${++this.nextId}`;
    const file = join(this.dir, `${id}.raw`);
    await writeFile(file, int16ToBuffer(samples));
    const child = this.ensureRunning();
    return new Promise<string>((resolve, reject) => {
      const timeoutMs = TIMEOUT_BASE_MS + (samples.length / POCKETSPHINX_RATE) * TIMEOUT_PER_AUDIO_SECOND_MS;
      const timer = setTimeout(() => this.stop(new Error(`pocketsphinx: no result after ${timeoutMs} ms`)), timeoutMs);
      this.queue.push({ id, file, resolve, reject, timer });
      setChildReferenced(child, true);
      child.stdin?.write(`${id}\n`);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop(new Error('pocketsphinx: recognizer closed'));
    process.removeListener('exit', this.removeDirAtExit);
    this.removeDirAtExit();
  }

  private ensureRunning(): ChildProcess {
    if (this.child) return this.child;
    const child = spawn(this.install.binary, this.arguments(), { stdio: ['pipe', 'pipe', 'pipe'] });
    trackSpeechChild(child);
    this.child = child;
    this.stderrTail = '';
    child.stdin?.on('error', () => undefined); // EPIPE after a crash; 'exit' reports it
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.on('error', (error) => this.onExit(child, `could not start ${this.install.binary}: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(child, `pocketsphinx_batch exited (${signal ?? `code ${code}`})`));
    return child;
  }

  private arguments(): string[] {
    const { acousticModel, languageModel, dictionary } = this.install;
    return [
      '-hmm', acousticModel, '-lm', languageModel, '-dict', dictionary,
      '-samprate', String(POCKETSPHINX_RATE), '-adcin', 'yes', '-cepdir', this.dir, '-cepext', '.raw',
      // Pipes, not files: /dev/stdout opened on a regular file would truncate and overwrite it.
      '-ctl', '/dev/stdin', '-hyp', '/dev/stdout',
    ];
  }

  private onLine(line: string): void {
    const hypothesis = parseHypothesisLine(line);
    if (!hypothesis) return;
    // Files pocketsphinx could not read produce no line at all; their requests are the ones skipped.
    while (this.queue.length > 0) {
      const request = this.queue.shift()!;
      if (request.id === hypothesis.utteranceId) {
        this.settle(request, () => request.resolve(hypothesis.text));
        break;
      }
      this.settle(request, () => request.reject(new Error(`pocketsphinx skipped utterance ${request.id}: ${this.lastError()}`)));
    }
    if (this.queue.length === 0 && this.child) setChildReferenced(this.child, false);
  }

  private onExit(child: ChildProcess, reason: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    const detail = this.lastError();
    this.failAll(new Error(detail ? `${reason}: ${detail}` : reason));
  }

  private stop(error: Error): void {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
    this.failAll(error);
  }

  private failAll(error: Error): void {
    const requests = this.queue;
    this.queue = [];
    for (const request of requests) this.settle(request, () => request.reject(error));
  }

  private settle(request: Request, outcome: () => void): void {
    clearTimeout(request.timer);
    void rm(request.file, { force: true });
    outcome();
  }

  /** pocketsphinx logs INFO lines by the hundred; only ERROR/FATAL ones explain a failure. */
  private lastError(): string {
    const errors = this.stderrTail.split('\n').filter((line) => /^(ERROR|FATAL)/.test(line));
    return errors.at(-1) ?? '';
  }
}
