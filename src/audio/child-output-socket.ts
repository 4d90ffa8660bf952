import { mkdtempSync, rmdirSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pcm16Slab } from './pcm16-slab.js';

/**
 * What a child writes to its stdout, read the cheap way. Node reads a child's stdout pipe as
 * a stream: every read allocates a buffer and goes through the stream's machinery. For the
 * microphone's SoX, a read every 85 ms for the whole session, that was most of what kaiwa's
 * steady state cost beyond the article's script: a bare Node process reading SoX took 57-65
 * ms of CPU per 30 s that way, 23-24 ms with `net.Socket`'s `onread` (one buffer, reused),
 * 34 ms when each read is also copied out. `onread` is offered for sockets kaiwa opens, not for
 * the pipes `spawn` makes, so the child writes into a Unix socket instead: kaiwa listens in a
 * private folder, connects, and hands the accepted end to the child as its stdout.
 *
 * Nothing stays on disk: the socket's file and folder are removed as soon as kaiwa's own
 * connection is made (both in one synchronous step), and the folder is the user's alone
 * (0700), so no one else can connect in between.
 */
export interface ChildOutput {
  /** Delivers what the child wrote, in order; what came before is delivered first. Each chunk is the listener's to keep. */
  onBytes(listener: (bytes: Buffer) => void): void;
  /** Resolves once the child's end is closed (it exited, or close() was called) and all it wrote was delivered. */
  readonly ended: Promise<void>;
  close(): void;
}

export interface ChildOutputSocket {
  /** The end to give the child as its stdout (spawn's stdio); destroy it once the child is spawned. */
  readonly writeEnd: net.Socket;
  readonly output: ChildOutput;
}

/** The size of one read: more than SoX ever has waiting. */
const READ_BUFFER_BYTES = 64 * 1024;

/** The connection is accepted on the next turn of the event loop; not by then (a stalled machine), the caller falls back to a pipe. */
const ACCEPT_TIMEOUT_MS = 1000;

/** Where Unix sockets can carry a child's stdout (not Windows). */
export const childOutputSocketsWork = (): boolean => process.platform !== 'win32';

/** A connected pair: the child's end once the connection is accepted (on the event loop's next turn). */
export function openChildOutputSocket(): Promise<ChildOutputSocket> {
  const server = net.createServer();
  const output = new SocketOutput();
  try {
    const folder = mkdtempSync(join(tmpdir(), 'kaiwa-out-'));
    const path = join(folder, 's');
    try {
      server.listen(path);
      output.readFrom(path);
    } finally {
      // The connection is queued already (connect() on a Unix socket completes at once).
      // Not rmSync's recursive walk: it costs a millisecond more, before SoX can start.
      removeQuietly(() => unlinkSync(path));
      removeQuietly(() => rmdirSync(folder));
    }
  } catch (error) {
    // No temporary folder, or none to write in: the caller uses a pipe.
    server.close();
    output.close();
    return Promise.reject(error as Error);
  }
  return new Promise<ChildOutputSocket>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      server.close();
      return true;
    };
    // Only before the connection: a late error of the closed server must not end the output.
    const fail = (error: Error): void => {
      if (!settle()) return;
      output.close();
      reject(error);
    };
    const timer = setTimeout(() => fail(new Error('the child output socket was not accepted in time')), ACCEPT_TIMEOUT_MS);
    server.on('error', fail);
    output.onFailure(fail);
    server.once('connection', (writeEnd: net.Socket) => {
      if (!settle()) return void writeEnd.destroy();
      output.onFailure(undefined);
      resolve({ writeEnd, output });
    });
  });
}

/** A socket file that listen() never made is no error here: there is just nothing to remove. */
function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // Gone already, or never made.
  }
}

class SocketOutput implements ChildOutput {
  readonly ended: Promise<void>;
  private endedNow: () => void = () => undefined;
  private reader: net.Socket | undefined;
  private early: Buffer[] | undefined = [];
  private listener: ((bytes: Buffer) => void) | undefined;
  private failure: ((error: Error) => void) | undefined;
  /** The read buffer is reused: what is handed on is copied out, into slabs (one allocation per ~16 reads). */
  private readonly copies = new Pcm16Slab();

  constructor() {
    this.ended = new Promise<void>((resolve) => { this.endedNow = resolve; });
  }

  readFrom(path: string): void {
    const reader = net.connect({ path, onread: { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: (length, buffer) => this.receive(buffer, length) } });
    reader.once('close', () => this.endedNow());
    reader.once('end', () => reader.destroy());
    // Before the connection is accepted, a failure is the opener's to report; after, it only ends the output.
    reader.on('error', (error) => this.failure?.(error));
    this.reader = reader;
  }

  onFailure(listener: ((error: Error) => void) | undefined): void {
    this.failure = listener;
  }

  onBytes(listener: (bytes: Buffer) => void): void {
    this.listener = listener;
    const early = this.early ?? [];
    this.early = undefined;
    for (const bytes of early) listener(bytes);
  }

  close(): void {
    this.reader?.destroy();
  }

  /** True: keep reading. */
  private receive(buffer: Uint8Array, length: number): boolean {
    const bytes = this.copies.take(Math.ceil(length / 2)).subarray(0, length);
    bytes.set(buffer.subarray(0, length));
    if (this.listener) this.listener(bytes);
    else this.early!.push(bytes);
    return true;
  }
}
