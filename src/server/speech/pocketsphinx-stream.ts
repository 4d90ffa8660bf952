/**
 * The streaming recognizer: warm Python processes (pocketsphinx-stream.py, on Debian's
 * python3-pocketsphinx), each holding a pool of decoders, fed each user turn's audio as
 * it arrives. Utterances are multiplexed over a process's stdin by id; results come back
 * as JSON lines. A process decodes on one core at about 0.2× real time (its fast search,
 * for audio streamed faster than that, at about 0.15×, with no pass at the end), so turns spoken
 * at the same time spread over up to one process per core; a lone speaker always gets
 * the first one (and its decoders, already adapted to the voice). A process that dies
 * fails the utterances it held (their turns fall back to batch recognition) and is
 * replaced when needed. While a segment is decoded, its words so far come back every
 * 300 ms of audio when they changed (SegmentedUtterance passes them to its listener).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { int16ToBuffer } from '../../audio/pcm16.js';
import type { LiveUtterance, StreamingRecognizer } from './streaming-recognizer.js';
import { SegmentedUtterance, type DecodingSpeed, type SegmentChannel } from './segmented-utterance.js';
import { InputPace } from './input-pace.js';
import { findOnPath, findPocketsphinxModel, type PocketsphinxModel } from './pocketsphinx-install.js';
import { setChildReferenced, trackSpeechChild } from './speech-children.js';
import { POCKETSPHINX_RATE } from './pocketsphinx-batch.js';
import { errorMessage } from '../../errors.js';
import { aptInstall } from '../../install-hint.js';

export interface StreamingInstall {
  python: string;
  model: PocketsphinxModel;
  /** Defaults to one per core, at most 4. */
  maxProcesses?: number;
  /** The clock that tells how fast audio arrives (tests pass their own). */
  now?: () => number;
}

export interface StreamingLocations {
  /** Defaults to Debian's /usr/bin/python3 (where python3-pocketsphinx installs), else python3 on $PATH. */
  python?: string;
  modelDir?: string;
  maxProcesses?: number;
  now?: () => number;
}

const SCRIPT = fileURLToPath(new URL('./pocketsphinx-stream.py', import.meta.url));
/** Loading the model takes about 0.3 s; the bound only catches a broken install. */
const READY_TIMEOUT_MS = 20_000;
/** A segment decodes at about 0.2× real time; this only catches a hung process. */
const RESULT_TIMEOUT_MS = 15_000;
const HEADER_BYTES = 9;
/** The payload of a segment start that asks for the fast search. */
const FAST_SEARCH = Buffer.from('fast');

type Op = 'S' | 'A' | 'E' | 'R';

interface Waiter {
  resolve(text: string): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** One running recognizer process and what is waiting on it. */
interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  waiting: Map<number, Waiter[]>;
  errorLines: string[];
  /** Utterances bound to it. */
  utterances: number;
  retired: boolean;
}

export class PocketsphinxStream implements StreamingRecognizer {
  private workers: Worker[] = [];
  private nextId = 0;
  private closed = false;
  private readonly maxProcesses: number;
  private readonly decoded: Record<DecodingSpeed, number> = { thorough: 0, fast: 0 };
  /** Who wants an utterance's words while it is decoded, by utterance id (ids are unique across processes). */
  private readonly partialListeners = new Map<number, (segment: number, words: string) => void>();

  constructor(private readonly install: StreamingInstall) {
    this.maxProcesses = Math.max(1, install.maxProcesses ?? Math.min(availableParallelism(), 4));
  }

  /** Starts the first process and waits until its model is loaded. */
  async start(): Promise<void> {
    await (this.workers[0] ?? this.spawnWorker()).ready;
  }

  /** Processes running now (for tests and diagnostics). */
  get processCount(): number {
    return this.workers.length;
  }

  /** Segments decoded so far by each search, as the processes reported them (for tests and diagnostics). */
  get segmentsDecoded(): Readonly<Record<DecodingSpeed, number>> {
    return { ...this.decoded };
  }

  begin(sampleRate: number): LiveUtterance {
    return new SegmentedUtterance(this.channel(++this.nextId), sampleRate, new InputPace(this.install.now));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.partialListeners.clear();
    const error = new Error('pocketsphinx stream: recognizer closed');
    for (const worker of [...this.workers]) this.stop(worker, error);
  }

  /** A channel stays bound to the process its segment started on: a replacement knows nothing of it. */
  private channel(id: number): SegmentChannel {
    let bound: Worker | undefined;
    const alive = () => bound !== undefined && !bound.retired;
    return {
      sampleRate: POCKETSPHINX_RATE,
      start: (speed: DecodingSpeed) => {
        if (this.closed) return;
        if (!alive()) {
          bound = this.leastBusyWorker();
          bound.utterances++;
        }
        this.send(bound!, 'S', id, speed === 'fast' ? FAST_SEARCH : undefined);
      },
      audio: (samples) => {
        if (alive()) this.send(bound!, 'A', id, int16ToBuffer(samples));
      },
      end: () => (alive() ? this.request(bound!, id) : Promise.reject(new Error('pocketsphinx stream: the recognizer restarted during the turn'))),
      release: () => {
        this.partialListeners.delete(id);
        if (!alive()) return;
        this.send(bound!, 'R', id);
        bound!.utterances--;
        bound = undefined;
      },
      onPartial: (listener) => {
        if (!this.closed) this.partialListeners.set(id, listener);
      },
    };
  }

  private leastBusyWorker(): Worker {
    const idlest = this.workers.reduce<Worker | undefined>((best, worker) => (!best || worker.utterances < best.utterances ? worker : best), undefined);
    if (idlest && (idlest.utterances === 0 || this.workers.length >= this.maxProcesses)) return idlest;
    return this.spawnWorker();
  }

  private spawnWorker(): Worker {
    const { python, model } = this.install;
    const child = spawn(python, [SCRIPT, model.acousticModel, model.languageModel, model.dictionary], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    trackSpeechChild(child);
    let markReady!: () => void;
    let failStart!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => { markReady = resolve; failStart = reject; });
    ready.catch(() => undefined); // start() reports it; utterances fall back on their own
    const worker: Worker = { child, ready, waiting: new Map(), errorLines: [], utterances: 0, retired: false };
    this.workers.push(worker);
    const readyTimer = setTimeout(() => this.fail(worker, `no answer from ${python} within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    readyTimer.unref();
    child.stdin!.on('error', () => undefined); // EPIPE after a crash; 'exit' says why
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!this.onLine(worker, line)) return;
      clearTimeout(readyTimer);
      markReady();
      if (worker.waiting.size === 0) setChildReferenced(child, false);
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      if (line.trim()) worker.errorLines = [...worker.errorLines.slice(-4), line.trim()];
    });
    const onGone = (reason: string) => {
      clearTimeout(readyTimer);
      const detail = worker.errorLines.at(-1);
      const error = new Error(`pocketsphinx stream: ${detail ? `${reason}: ${detail}` : reason}`);
      failStart(error);
      this.retire(worker, error);
    };
    child.on('error', (error) => onGone(`could not start ${python}: ${error.message}`));
    child.on('exit', (code, signal) => onGone(`recognizer exited (${signal ?? `code ${code}`})`));
    return worker;
  }

  /** Handles one line of the process's output; true for its ready line. */
  private onLine(worker: Worker, line: string): boolean {
    let message: { ready?: boolean; id?: number; text?: string; error?: string; fast?: boolean; segment?: number; partial?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return false;
    }
    if (message.ready) return true;
    if (typeof message.id !== 'number') return false;
    if (typeof message.partial === 'string') {
      if (typeof message.segment === 'number') this.partialListeners.get(message.id)?.(message.segment, message.partial);
      return false;
    }
    const queue = worker.waiting.get(message.id);
    const waiter = queue?.shift();
    if (!waiter) return false;
    if (queue!.length === 0) worker.waiting.delete(message.id);
    clearTimeout(waiter.timer);
    if (typeof message.error === 'string') waiter.reject(new Error(`pocketsphinx stream: ${message.error}`));
    else {
      this.decoded[message.fast ? 'fast' : 'thorough']++;
      waiter.resolve(message.text ?? '');
    }
    if (worker.waiting.size === 0) setChildReferenced(worker.child, false);
    return false;
  }

  private request(worker: Worker, id: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(worker, `no result after ${RESULT_TIMEOUT_MS / 1000} s`), RESULT_TIMEOUT_MS);
      const queue = worker.waiting.get(id) ?? [];
      queue.push({ resolve, reject, timer });
      worker.waiting.set(id, queue);
      setChildReferenced(worker.child, true);
      this.send(worker, 'E', id);
    });
  }

  private send(worker: Worker, op: Op, id: number, payload?: Buffer): void {
    const header = Buffer.alloc(HEADER_BYTES);
    header.write(op, 0, 'latin1');
    header.writeUInt32LE(id, 1);
    header.writeUInt32LE(payload?.length ?? 0, 5);
    const stdin = worker.child.stdin!;
    if (stdin.destroyed) return;
    stdin.write(payload ? Buffer.concat([header, payload]) : header);
  }

  private fail(worker: Worker, reason: string): void {
    worker.child.kill('SIGKILL');
    this.retire(worker, new Error(`pocketsphinx stream: ${reason}`));
  }

  private stop(worker: Worker, error: Error): void {
    worker.child.stdin?.destroy(); // end of input: the process exits by itself
    worker.child.kill('SIGKILL');
    this.retire(worker, error);
  }

  private retire(worker: Worker, error: Error): void {
    worker.retired = true;
    this.workers = this.workers.filter((candidate) => candidate !== worker);
    const waiting = [...worker.waiting.values()].flat();
    worker.waiting.clear();
    for (const waiter of waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}

export type StreamingLookup = { recognizer: PocketsphinxStream } | { missing: string };

/** Starts the streaming recognizer, or says in one line why it can't run here. */
export async function findStreamingRecognizer(locations: StreamingLocations = {}): Promise<StreamingLookup> {
  const python = locations.python ?? defaultPython();
  if (!python) return { missing: `python3 is not installed (${aptInstall('python3-pocketsphinx')})` };
  const model = findPocketsphinxModel(locations.modelDir);
  if (typeof model === 'string') return { missing: model };
  const { maxProcesses, now } = locations;
  const recognizer = new PocketsphinxStream({ python, model, ...(maxProcesses ? { maxProcesses } : {}), ...(now ? { now } : {}) });
  try {
    await recognizer.start();
  } catch (error) {
    recognizer.close();
    const reason = errorMessage(error);
    return { missing: `${reason} (${aptInstall('python3-pocketsphinx')})` };
  }
  return { recognizer };
}

function defaultPython(): string | undefined {
  const debian = '/usr/bin/python3';
  try {
    accessSync(debian, constants.X_OK);
    return debian;
  } catch {
    return findOnPath('python3');
  }
}
