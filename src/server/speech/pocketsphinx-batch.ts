/**
 * One warm pocketsphinx_batch process. Loading the model takes about 0.3 s, as long
 * as recognizing a second of speech, so the process stays up between turns: it reads
 * its control list line by line from a FIFO (each line names a raw 16 kHz file in a
 * private temp dir) and logs one hypothesis line per file on stderr.
 *
 * Why a FIFO and stderr: pocketsphinx fopen()s its -ctl and -hyp paths, and Node's
 * stdio pipes are Unix sockets, which /dev/stdin and /dev/stdout can't reopen (ENXIO).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
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
  private readonly controlPath = join(this.dir, 'control.fifo');
  private child: ChildProcess | undefined;
  private controlFd: number | undefined;
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
    const { child, controlFd } = this.ensureRunning();
    return new Promise<string>((resolve, reject) => {
      const timeoutMs = TIMEOUT_BASE_MS + (samples.length / POCKETSPHINX_RATE) * TIMEOUT_PER_AUDIO_SECOND_MS;
      const timer = setTimeout(() => this.stop(new Error(`pocketsphinx: no result after ${timeoutMs} ms`)), timeoutMs);
      this.queue.push({ id, file, resolve, reject, timer });
      setChildReferenced(child, true);
      // A line of a few bytes always fits the FIFO's buffer, so this never blocks.
      writeSync(controlFd, `${id}\n`);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop(new Error('pocketsphinx: recognizer closed'));
    process.removeListener('exit', this.removeDirAtExit);
    this.removeDirAtExit();
  }

  private ensureRunning(): { child: ChildProcess; controlFd: number } {
    if (this.child && this.controlFd !== undefined) return { child: this.child, controlFd: this.controlFd };
    makeFifo(this.controlPath);
    // O_RDWR opens a FIFO without waiting for a reader (Linux), and keeps it open between lines.
    const controlFd = openSync(this.controlPath, constants.O_RDWR);
    const child = spawn(this.install.binary, this.arguments(), { stdio: ['ignore', 'ignore', 'pipe'] });
    trackSpeechChild(child);
    this.child = child;
    this.controlFd = controlFd;
    this.errorLines = [];
    createInterface({ input: child.stderr! }).on('line', (line) => this.onLine(line));
    child.on('error', (error) => this.onExit(child, `could not start ${this.install.binary}: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(child, `pocketsphinx_batch exited (${signal ?? `code ${code}`})`));
    return { child, controlFd };
  }

  private arguments(): string[] {
    const { acousticModel, languageModel, dictionary } = this.install;
    return [
      '-hmm', acousticModel, '-lm', languageModel, '-dict', dictionary,
      '-samprate', String(POCKETSPHINX_RATE), '-adcin', 'yes', '-cepdir', this.dir, '-cepext', '.raw',
      '-ctl', this.controlPath,
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
    if (this.child !== child) return;
    this.closeControl();
    this.child = undefined;
    const detail = this.lastError();
    this.failAll(new Error(detail ? `${reason}: ${detail}` : reason));
  }

  private stop(error: Error): void {
    const child = this.child;
    this.child = undefined;
    this.closeControl();
    child?.kill('SIGKILL');
    this.failAll(error);
  }

  /** Closing the last writer discards ids a dead process never read, so a new one starts clean. */
  private closeControl(): void {
    if (this.controlFd === undefined) return;
    closeSync(this.controlFd);
    this.controlFd = undefined;
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

function makeFifo(path: string): void {
  rmSync(path, { force: true });
  const result = spawnSync('mkfifo', ['-m', '600', path]);
  if (result.status !== 0) throw new Error(`mkfifo ${path} failed: ${result.stderr?.toString().trim() || result.error?.message}`);
}
