/**
 * One warm pocketsphinx_batch process. Loading the model takes about 0.3 s, as long
 * as recognizing a second of speech, so the process stays up between turns: it reads
 * its control list line by line (each line names a raw 16 kHz file in a private temp
 * dir) and logs one hypothesis line per file on stderr.
 *
 * pocketsphinx fopen()s its -ctl path, and Node's stdio pipes are Unix sockets, which
 * /dev/stdin can't reopen (ENXIO). So bash hands it a real pipe through process
 * substitution, fed by `cat` from our stdin. A named FIFO would work too, but a
 * pocketsphinx still loading its model when we die would then block opening it forever;
 * with a pipe, our death closes cat's input, cat exits, and pocketsphinx reads the end
 * of its control list and exits as well.
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
  private errorLines: string[] = [];
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
    if (this.closed) {
      // close() ran while the file was being written; starting a process now would leak it.
      await rm(file, { force: true });
      throw new Error('pocketsphinx: recognizer is closed');
    }
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
    const child = spawn('bash', ['-c', 'exec "$0" "$@" -ctl <(exec cat)', this.install.binary, ...this.arguments()], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    trackSpeechChild(child);
    this.child = child;
    this.errorLines = [];
    child.stdin?.on('error', () => undefined); // EPIPE after a crash; 'exit' says why
    createInterface({ input: child.stderr! }).on('line', (line) => this.onLine(line));
    child.on('error', (error) => this.onExit(child, `could not start ${this.install.binary}: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(child, `pocketsphinx_batch exited (${signal ?? `code ${code}`})`));
    return child;
  }

  private arguments(): string[] {
    const { acousticModel, languageModel, dictionary } = this.install;
    return [
      '-hmm', acousticModel, '-lm', languageModel, '-dict', dictionary,
      '-samprate', String(POCKETSPHINX_RATE), '-adcin', 'yes', '-cepdir', this.dir, '-cepext', '.raw',
    ];
  }

  private onLine(line: string): void {
    if (LOG_LINE.test(line)) {
      if (/^(ERROR|FATAL)/.test(line)) this.errorLines = [...this.errorLines.slice(-4), line];
      return;
    }
    const hypothesis = parseHypothesisLine(line);
    if (!hypothesis || !this.queue.some((request) => request.id === hypothesis.utteranceId)) return;
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
    child.stdin?.destroy(); // lets cat see the end of its input and exit too
    if (this.child !== child) return;
    this.child = undefined;
    const detail = this.lastError();
    this.failAll(new Error(detail ? `${reason}: ${detail}` : reason));
  }

  private stop(error: Error): void {
    const child = this.child;
    this.child = undefined;
    child?.stdin?.destroy();
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

  private lastError(): string {
    return this.errorLines.at(-1) ?? '';
  }
}

/** pocketsphinx's log lines; everything else on its stderr is a hypothesis or a separator. */
const LOG_LINE = /^(INFO|WARN|WARNING|ERROR|FATAL|SYSTEM_ERROR|DEBUG)\b/;
