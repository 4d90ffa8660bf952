/**
 * The duplex workload every client runs: connect, stream the "microphone" (espeak speech
 * on a loop, 20 ms appends in real time, no turn detection) while the server speaks a long
 * answer at real-time speed (100 ms deltas), and measure CPU over a window once audio
 * flows both ways, plus the time from an audio delta's arrival on the socket to its
 * bytes being handed to the player (and to the device, when the player had room).
 */
import type WebSocket from 'ws';
import { performance } from 'node:perf_hooks';
import { PacedPlayer } from '../../src/audio/paced-player.js';
import { PipeSink } from './pipe-sink.js';

export interface DuplexArgs {
  url: string;
  certificate?: string;
  warmupMs: number;
  windowMs: number;
}

export interface DuplexResult {
  client: string;
  cpuMs: number;
  windowMs: number;
  /** Seconds of assistant audio handed to the device, and of microphone audio sent, in the window. */
  audioInS: number;
  audioOutS: number;
  deltas: number;
  /** Writes into the pipe per second (each one a system call). */
  deviceWritesPerS: number;
  toPlayerMs: number[];
  toDeviceMs: number[];
}

/** Times each audio delta from the socket's 'message' event to the player and the device. */
export class DeltaClock {
  private arrival = 0;
  private pending = false;
  private awaitingDevice = false;
  measuring = false;
  deltas = 0;
  readonly toPlayerMs: number[] = [];
  readonly toDeviceMs: number[] = [];

  /** Listens before everyone else on the socket, so the time is the frame's arrival. */
  watch(socket: WebSocket): void {
    socket.prependListener('message', (data: Buffer) => {
      this.arrival = performance.now();
      this.pending = data.subarray(0, 64).toString('latin1').includes('audio.delta"');
    });
  }

  /** The client handed a delta's PCM to the player (or pipe). */
  handedToPlayer(): void {
    if (!this.pending) return;
    this.pending = false;
    if (!this.measuring) return;
    this.deltas += 1;
    this.toPlayerMs.push(performance.now() - this.arrival);
    this.awaitingDevice = true;
  }

  /** The player wrote to the device. */
  deviceWrite(): void {
    if (!this.awaitingDevice) return;
    this.awaitingDevice = false;
    this.toDeviceMs.push(performance.now() - this.arrival);
  }

  /** The player kept the delta for later (its lead was full): no immediate device write. */
  afterHandOff(): void {
    this.awaitingDevice = false;
  }
}

/** A PacedPlayer on a PipeSink that reports hand-offs and device writes to the clock. */
export function timedPlayer(clock: DeltaClock, sink = new PipeSink()): { player: PacedPlayer; sink: PipeSink } {
  sink.onWrite = () => clock.deviceWrite();
  class TimedPlayer extends PacedPlayer {
    override writeItem(itemId: string, pcm: Buffer): void {
      clock.handedToPlayer();
      super.writeItem(itemId, pcm);
      clock.afterHandOff();
    }
  }
  return { player: new TimedPlayer(sink), sink };
}

/** Waits for audio, warms up, then measures CPU and audio over the window. */
export async function measureWindow(
  client: string, args: DuplexArgs, clock: DeltaClock, firstAudio: Promise<void>,
  counters: { sinkBytes: () => number; sentBytes: () => number; deviceWrites: () => number },
): Promise<DuplexResult> {
  await firstAudio;
  await sleep(args.warmupMs);
  clock.measuring = true;
  const bytes0 = counters.sinkBytes();
  const sent0 = counters.sentBytes();
  const writes0 = counters.deviceWrites();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(args.windowMs);
  const cpu = process.cpuUsage(cpu0);
  const windowMs = performance.now() - t0;
  clock.measuring = false;
  return {
    client,
    cpuMs: (cpu.user + cpu.system) / 1000,
    windowMs,
    audioInS: (counters.sinkBytes() - bytes0) / 48000,
    audioOutS: (counters.sentBytes() - sent0) / 48000,
    deltas: clock.deltas,
    deviceWritesPerS: ((counters.deviceWrites() - writes0) * 1000) / windowMs,
    toPlayerMs: clock.toPlayerMs,
    toDeviceMs: clock.toDeviceMs,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const LONG_REQUEST = 'Please talk to me for a long time.';
