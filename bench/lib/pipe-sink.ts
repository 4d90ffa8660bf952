/**
 * The benchmarks' "null speaker": PCM written into a pipe to a process that discards it,
 * which costs the client what writing to SoX's stdin costs, without a sound device. With
 * BENCH_DEVICES=sox the process is a real SoX player on the default device instead (the
 * same for every client). Every write and clear is timestamped for the latency measurements.
 */
import { EventEmitter } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import type { AudioSink, PcmFormat } from '../../src/audio/devices.js';
import { playerArgs } from '../../src/audio/sox-player.js';

export class PipeSink extends EventEmitter implements AudioSink {
  readonly format: PcmFormat;
  private readonly child: ChildProcess;
  bytes = 0;
  writes = 0;
  onWrite: ((pcm: Buffer) => void) | undefined;
  onClear: (() => void) | undefined;

  constructor(sampleRate = 24000) {
    super();
    this.format = { sampleRate };
    this.child = process.env.BENCH_DEVICES === 'sox'
      ? spawn('sox', playerArgs(sampleRate), { stdio: ['pipe', 'ignore', 'ignore'] })
      : spawn('sh', ['-c', 'exec cat > /dev/null'], { stdio: ['pipe', 'ignore', 'ignore'] });
    this.child.stdin!.on('error', () => undefined);
  }

  /** The raw pipe, for clients that write to it as the article does. */
  get stdin(): NodeJS.WritableStream {
    return this.child.stdin!;
  }

  write(pcm: Buffer): void {
    this.onWrite?.(pcm);
    this.bytes += pcm.length;
    this.writes += 1;
    this.child.stdin!.write(pcm);
  }

  /** A real player drops what it holds; here nothing is held, so this only marks the moment. */
  clear(): void {
    this.onClear?.();
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }
}
