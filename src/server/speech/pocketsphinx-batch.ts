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
 *
 * The temp dir must go even when we die without running exit handlers (SIGKILL, a crash,
 * the OOM killer). The same bash wrapper therefore also leaves a cleaner behind: a
 * background `sh` in a session of its own (setsid: no terminal or process-group signal
 * reaches it) that waits on fd 3, a pipe only we hold the other end of. When we die the
 * pipe ends and the cleaner removes the dir; close() removes the dir itself and then sends
 * the cleaner a newline, which lets it exit without touching anything. So no extra process
 * is started from Node (a spawn blocks our thread for milliseconds); bash forks the cleaner
 * while pocketsphinx loads its model. The dir is made in the same synchronous step that
 * starts the wrapper, and each new wrapper's cleaner takes over from the previous one's,
 * so there is never a moment the dir exists with nobody to remove it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve as absolutePath } from 'node:path';
import { createInterface } from 'node:readline';
import { int16ToBuffer } from '../../audio/pcm16.js';
import type { PocketsphinxInstall } from './pocketsphinx-install.js';
import { parseHypothesisLine } from './pocketsphinx-hypothesis.js';
import { setChildReferenced, trackSpeechChild } from './speech-children.js';

export const POCKETSPHINX_RATE = 16000;
/** Recognition runs at roughly 0.3× real time on one core; the bound only catches a hung process. */
const TIMEOUT_BASE_MS = 15000;
const TIMEOUT_PER_AUDIO_SECOND_MS = 3000;

/**
 * `bash -c WRAPPER binary dir args…`. The cleaner's stdin is fd 3: a line (from close(),
 * the exit hook, or a newer wrapper taking over) means "not your business any more, just
 * go"; the end of input without one means we died, so it removes the dir. Its cwd is / so
 * it pins no mount, hence the absolute dir. Where setsid is missing it still ignores the
 * terminal's signals. pocketsphinx and cat don't keep fd 3.
 */
const WRAPPER = [
  'dir=$1; shift',
  `(trap '' HUP INT QUIT; cd /; clean='read -r _ || rm -rf -- "$1"'`
    + ' && command -v setsid >/dev/null && exec setsid sh -c "$clean" kaiwa-pocketsphinx-cleaner "$dir"'
    + '; exec sh -c "$clean" kaiwa-pocketsphinx-cleaner "$dir") <&3 3<&- >/dev/null 2>&1 &',
  'exec "$0" "$@" -ctl <(exec cat 3<&-) 3<&-',
].join('\n');

interface Request {
  id: string;
  file: string;
  resolve(text: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class PocketsphinxBatch {
  /** Made with the first wrapper, whose cleaner owns it from then on. */
  private dir: string | undefined;
  /** Our end of fd 3 of the newest wrapper: its cleaner removes the dir if we die. */
  private cleaner: Socket | undefined;
  private child: ChildProcess | undefined;
  private queue: Request[] = [];
  private errorLines: string[] = [];
  private nextId = 0;
  private closed = false;
  private readonly removeDirAtExit = (): void => this.removeDir();

  constructor(private readonly install: PocketsphinxInstall) {
    process.once('exit', this.removeDirAtExit);
  }

  /** Recognizes mono PCM16 at 16 kHz; resolves '' when no words were heard. */
  async recognize(samples: Int16Array): Promise<string> {
    if (this.closed) throw new Error('pocketsphinx: recognizer is closed');
    const id = `u${++this.nextId}`;
    // Started before the file is written: the dir comes with it, and the model loads meanwhile.
    const { dir } = this.ensureRunning();
    const file = join(dir, `${id}.raw`);
    await writeFile(file, int16ToBuffer(samples));
    if (this.closed) {
      // close() ran while the file was being written; starting a process now would leak it.
      await rm(file, { force: true });
      throw new Error('pocketsphinx: recognizer is closed');
    }
    const { child } = this.ensureRunning(); // a new one if it died while the file was written
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
    this.removeDir();
  }

  /** Removes the dir now, then dismisses the cleaner (the other way round, a death in between would leave the dir behind). */
  private removeDir(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    dismiss(this.cleaner);
    this.cleaner = undefined;
  }

  private ensureRunning(): { child: ChildProcess; dir: string } {
    if (this.child && this.dir) return { child: this.child, dir: this.dir };
    // Synchronously, with the spawn below: no moment the dir exists without a wrapper to own it.
    const dir = this.dir ??= absolutePath(mkdtempSync(join(tmpdir(), 'kaiwa-pocketsphinx-')));
    const child = spawn('bash', ['-c', WRAPPER, this.install.binary, dir, ...this.arguments(dir)], {
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    });
    trackSpeechChild(child);
    this.takeOverCleaner(child);
    this.child = child;
    this.errorLines = [];
    child.stdin?.on('error', () => undefined); // EPIPE after a crash; 'exit' says why
    createInterface({ input: child.stderr! }).on('line', (line) => this.onLine(line));
    child.on('error', (error) => this.onExit(child, `could not start ${this.install.binary}: ${error.message}`));
    child.on('exit', (code, signal) => this.onExit(child, `pocketsphinx_batch exited (${signal ?? `code ${code}`})`));
    return { child, dir };
  }

  /**
   * The new wrapper's cleaner owns the dir from now on; the previous one (its wrapper died
   * or was stopped) is let go. Our end of its pipe must not keep Node running.
   */
  private takeOverCleaner(child: ChildProcess): void {
    const pipe = child.stdio[3] as Socket | null | undefined;
    if (!pipe) return;
    pipe.on('error', () => undefined); // EPIPE when the cleaner could not start; nothing to do then
    pipe.unref();
    dismiss(this.cleaner);
    this.cleaner = pipe;
  }

  private arguments(dir: string): string[] {
    const { acousticModel, languageModel, dictionary } = this.install;
    return [
      '-hmm', acousticModel, '-lm', languageModel, '-dict', dictionary,
      '-samprate', String(POCKETSPHINX_RATE), '-adcin', 'yes', '-cepdir', dir, '-cepext', '.raw',
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

/** Tells a cleaner the dir is not its business any more (a line), and lets go of its pipe. */
function dismiss(cleaner: Socket | undefined): void {
  if (cleaner && !cleaner.destroyed && cleaner.writable) cleaner.end('\n');
}

/** pocketsphinx's log lines; everything else on its stderr is a hypothesis or a separator. */
const LOG_LINE = /^(INFO|WARN|WARNING|ERROR|FATAL|SYSTEM_ERROR|DEBUG)\b/;
