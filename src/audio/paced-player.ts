import { EventEmitter } from 'node:events';
import type { AudioSink, PcmFormat } from './devices.js';
import { rmsDbfs } from './pcm16.js';

export interface PacedPlayerOptions {
  /** Audio handed to the device ahead of the playhead: enough to ride out timer jitter, small enough to stop fast. */
  leadMs?: number;
  /** Longest the player sleeps while audio is queued (default: until the device runs low). */
  tickMs?: number;
  /** Time from handing audio to the device until it sounds (the sound server's buffer). */
  outputLatencyMs?: number;
  /**
   * The lead while at least this much audio waits here beyond the device (a reply the
   * service sent far faster than real time): fewer, larger refills, each a wake-up of the
   * process. Only for a device whose clear() drops what it holds (SoX is killed), so a
   * longer lead stops no slower; heard ms come from the schedule either way. Off by default.
   */
  burstLeadMs?: number;
  /**
   * Keeps this much silence in the device while nothing plays, so the device never runs
   * dry and every sample sounds exactly when the count of samples written says: an echo
   * canceller's reference then keeps one timeline from reply to reply (a device that ran
   * dry resumes a few to tens of ms off, differently each time). Off by default; once
   * given, keepFed(true) turns it on (and keepFed(false) off): not at once, since the first
   * silence would start the device (a SoX process) while the session is still starting.
   */
  keepFedMs?: number;
  /**
   * What the device itself buffers beyond what the player counts (the sound server's own
   * latency): a refill up to this late finds it still playing, so the timeline goes on
   * instead of restarting at `now` with a gap that never sounded (measured on
   * PulseAudio: timers 30 ms late under load moved an echo canceller's reference by up
   * to 10 ms). Default 0: a late refill restarts the timeline at once.
   */
  deviceBufferMs?: number;
  now?: () => number;
}

/**
 * A refill that finds the device holding less than this (ms, of what it was handed) came
 * so late that the device may have run dry for a moment: what it plays next may sound
 * later than the count of samples says (reported as 'underrun').
 */
const UNDERRUN_SUSPECT_MS = 5;

export interface PacedPlayerUnderrun {
  /** The `now()` ms from which the speaker's timeline may have moved (what was handed ran out then). */
  from: number;
  /** The refill was this late for the device (ms; 0 when it came just in time). */
  lateMs: number;
}

interface Scheduled {
  itemId: string;
  /** Loudness of the chunk, for judging how loud its echo can be. */
  levelDbfs: number;
  /** Wall-clock ms when this chunk starts sounding. */
  startsAt: number;
  durationMs: number;
}

interface Queued {
  itemId: string;
  pcm: Buffer;
}

const HISTORY_LIMIT = 4096;
/** Silence topped up on a microphone chunk (topUpSilence) lasts this much past the next one. */
const TOP_UP_MARGIN_MS = 20;
/**
 * While chunks top the silence up, the player's own timer is only a fallback for a chunk
 * that does not come: it wakes once this little is left (the device's own buffer,
 * `deviceBufferMs`, still plays on after it).
 */
const TOPPED_UP_LOW_MS = 5;
/**
 * How early a timer may fire against `now()`: timers count whole milliseconds from the
 * start of the event-loop turn that set them, not from the moment they were set.
 */
const TIMER_EARLY_MS = 2;

/**
 * Feeds a device at real-time speed, keeping only `leadMs` of audio inside it. Emits
 * 'sounding' (pcm, startsAt: the `now()` ms when its first sample sounds) for every piece
 * handed to the device, and 'cleared' (from: ms) when what had not sounded was dropped:
 * an echo canceller's reference, sample for sample. Audio
 * dumped into a pipe all at once cannot be recalled when the user interrupts; audio held
 * here can, and because kaiwa knows when each chunk started sounding it can tell how
 * many ms of an item the user actually heard. Emits 'underrun' (PacedPlayerUnderrun) when
 * a refill came too late to be sure the device never ran dry (a starved timer), 'audible'
 * (boolean) when `audible` changes (to whoever listens), and passes
 * on the device's own 'underrun' and 'restart': an echo canceller learns of a step in the
 * speaker's timeline before its echo arrives.
 */
export class PacedPlayer extends EventEmitter implements AudioSink {
  readonly format: PcmFormat;
  private readonly leadMs: number;
  private readonly now: () => number;
  private readonly queue: Queued[] = [];
  private readonly scheduled: Scheduled[] = [];
  private deviceBusyUntil = 0;
  /** When the last audio handed to the device stops sounding (only audio moves it, never idle ticks). */
  private soundingUntil = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxWaitMs: number;
  private readonly bytesPerMs: number;
  private readonly outputLatencyMs: number;
  private readonly burstLeadMs: number;
  /** Bytes waiting in `queue`, kept as a count so choosing the lead costs no walk over it. */
  private queuedBytes = 0;
  private readonly keepFedMs: number;
  /** Silence is fed between replies now (keepFedMs given, and turned on by keepFed()). */
  private feeding: boolean;
  /** Until when the next topUpSilence is expected (`now()` ms): the timer waits for it. */
  private topUpDueBy = -Infinity;
  private readonly deviceBufferMs: number;
  private closed = false;
  private held = false;
  /** `audible` as last emitted, and the timer for the moment the last audio handed stops sounding. */
  private audibleShown = false;
  private audibleTimer: NodeJS.Timeout | undefined;
  /** The device is opening (see AudioSink.untilOpen): nothing is handed to it, and no time counted as sounding, until it is open. */
  private opening: Promise<unknown> | undefined;

  constructor(private readonly device: AudioSink, options: PacedPlayerOptions = {}) {
    super();
    this.format = device.format;
    this.leadMs = options.leadMs ?? 150;
    this.outputLatencyMs = options.outputLatencyMs ?? 0;
    this.burstLeadMs = Math.max(options.burstLeadMs ?? 0, this.leadMs);
    this.now = options.now ?? (() => performance.now());
    this.bytesPerMs = (this.format.sampleRate * 2) / 1000;
    device.on('error', (error: Error) => this.emit('error', error));
    device.on('restart', (reason: string) => {
      this.deviceLost();
      this.emit('restart', reason);
    });
    device.on('underrun', () => this.emit('underrun', { from: this.now() + this.outputLatencyMs, lateMs: 0 } satisfies PacedPlayerUnderrun));
    this.maxWaitMs = options.tickMs ?? Infinity;
    this.keepFedMs = options.keepFedMs ?? 0;
    this.feeding = false;
    this.deviceBufferMs = options.deviceBufferMs ?? 0;
  }

  /**
   * Nothing is handed to the device until `ready` settles (the device is being moved, e.g.
   * onto the echo canceller's sink): what is written waits in the queue, and the timeline of
   * what sounded starts when it is released, not when it was written.
   */
  holdUntil(ready: Promise<unknown>): void {
    this.held = true;
    const release = (): void => {
      this.held = false;
      this.pump();
    };
    void ready.then(release, release);
  }

  write(pcm: Buffer): void {
    this.writeItem('', pcm);
  }

  writeItem(itemId: string, pcm: Buffer): void {
    if (pcm.length === 0) return;
    this.queue.push({ itemId, pcm });
    this.queuedBytes += pcm.length;
    this.pump();
    // A pump that handed everything over has followed it already.
    if (this.queue.length > 0) this.followAudible();
  }

  /** True while anything is queued or still sounding. */
  get audible(): boolean {
    return this.queue.length > 0 || this.soundingUntil > this.now();
  }

  /**
   * Emits 'audible' when `audible` changed: at once when audio comes or is dropped, and by
   * a timer when the last of it stops sounding (a screen that polled for it woke the
   * process 20 times a second for the whole session).
   */
  private followAudible(): void {
    if (this.listenerCount('audible') === 0) return;
    const audible = this.audible;
    if (audible !== this.audibleShown) {
      this.audibleShown = audible;
      this.emit('audible', audible);
    }
    if (this.audibleTimer) clearTimeout(this.audibleTimer);
    this.audibleTimer = undefined;
    if (!audible || this.queue.length > 0 || this.closed) return;
    this.audibleTimer = setTimeout(() => {
      this.audibleTimer = undefined;
      this.followAudible();
    }, Math.max(this.soundingUntil - this.now(), 0) + 1);
    this.audibleTimer.unref();
  }

  /** Ms of the item's audio that have sounded so far. */
  heardMs(itemId: string): number {
    const now = this.now();
    let heard = 0;
    for (const chunk of this.scheduled) {
      if (chunk.itemId === itemId) heard += Math.min(Math.max(now - chunk.startsAt, 0), chunk.durationMs);
    }
    return heard;
  }

  /** The loudest audio that sounded within the last `windowMs` (-Infinity when quiet). */
  recentLevelDbfs(windowMs: number): number {
    const now = this.now();
    let loudest = -Infinity;
    for (let i = this.scheduled.length - 1; i >= 0; i -= 1) {
      const chunk = this.scheduled[i]!;
      if (chunk.startsAt + chunk.durationMs < now - windowMs) break;
      if (chunk.startsAt <= now && chunk.durationMs > 0) loudest = Math.max(loudest, chunk.levelDbfs);
    }
    return loudest;
  }

  /** Ms of the item's audio received so far (heard or not). */
  receivedMs(itemId: string): number {
    let total = 0;
    for (const chunk of this.scheduled) if (chunk.itemId === itemId) total += chunk.durationMs;
    for (const queued of this.queue) if (queued.itemId === itemId) total += queued.pcm.length / this.bytesPerMs;
    return total;
  }

  /**
   * Turns the silence between replies (keepFedMs) on or off: a write to the device for
   * each microphone chunk (topUpSilence), or ~30 wake-ups a second without them, worth it
   * only while someone needs the speaker's timeline unbroken (an echo canceller that found
   * the echo). Off, the device runs dry after what it holds.
   */
  keepFed(on: boolean): void {
    const feeding = on && this.keepFedMs > 0;
    if (feeding === this.feeding) return;
    this.feeding = feeding;
    if (this.queue.length > 0 || this.closed || this.held || this.opening) return;
    if (feeding) return this.pump();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * The process is awake anyway (a microphone chunk came; the next is due in `untilNextMs`):
   * while kept fed between replies, the silence is topped up now to last until then, so no
   * timer of the player's own wakes the process (~30 wake-ups a second, most of kaiwa's CPU
   * between replies through speakers). A reply's first audio waits behind ~60 ms of silence
   * on average instead of ~45.
   */
  topUpSilence(untilNextMs: number): void {
    if (!this.feeding || this.queue.length > 0 || this.closed || this.held || this.opening) return;
    const leadMs = untilNextMs + TOP_UP_MARGIN_MS;
    this.topUpDueBy = this.now() + leadMs;
    this.feedSilence(false, leadMs, leadMs - TOP_UP_MARGIN_MS / 2);
  }

  /** Stops the sound now: drops what is queued here and what the device still holds. */
  clear(): void {
    const now = this.now();
    this.queue.length = 0;
    this.queuedBytes = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.endTimelineAt(now);
    this.silenceDevice(now);
    this.followAudible();
  }

  /** What was scheduled to sound after `now` never will: each chunk's duration becomes what was heard of it. */
  private endTimelineAt(now: number): void {
    for (const chunk of this.scheduled) {
      const heard = Math.min(Math.max(now - chunk.startsAt, 0), chunk.durationMs);
      chunk.durationMs = heard;
    }
  }

  /**
   * The device died and is being replaced (SoX's 'restart'): what it held never sounded,
   * and the next piece goes to a fresh device, which waits to be open (untilOpen).
   */
  private deviceLost(): void {
    const now = this.now();
    this.endTimelineAt(now);
    this.deviceBusyUntil = now;
    this.soundingUntil = -Infinity;
    this.followAudible();
  }

  /**
   * True while the device is opening: the pump waits for it, and the timeline of what
   * sounded starts when it is open, not when the audio was written (a SoX started for a
   * reply, or again after a barge-in, takes 60-110 ms to open PulseAudio, longer under load).
   */
  private waitingForDevice(): boolean {
    const opening = this.device.untilOpen?.();
    if (!opening) return false;
    this.opening = opening;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const opened = (): void => {
      if (this.opening !== opening) return;
      this.opening = undefined;
      // A device just opened holds nothing: what goes to it now sounds from now.
      this.deviceBusyUntil = this.now();
      this.pump();
    };
    void opening.then(opened, opened);
    return true;
  }

  /**
   * Restarts the output device while nothing plays and nothing is queued (a device whose
   * latency grew, e.g. a sound server that raised its buffer after under-runs, starts
   * afresh at its least): emits 'cleared', as a clear does, since the speaker's timeline
   * starts over. Returns false, and does nothing, while a reply is queued or sounding.
   */
  restartDevice(): boolean {
    const now = this.now();
    if (this.queue.length > 0 || this.closed || now < this.soundingUntil) return false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.silenceDevice(now);
    return true;
  }

  /** Drops what the device holds (SoX is stopped): the speaker's timeline starts over now. */
  private silenceDevice(now: number): void {
    this.deviceBusyUntil = now;
    this.soundingUntil = -Infinity;
    this.device.clear();
    this.emit('cleared', now + this.outputLatencyMs);
    this.pump();
  }

  async close(): Promise<void> {
    while (this.queue.length) {
      this.pump();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.audibleTimer) clearTimeout(this.audibleTimer);
    this.audibleTimer = undefined;
    await this.device.close();
  }

  /**
   * Tops the device up to the lead, but only once it holds less than half of it: a few
   * larger writes a second instead of one per tick (each write is a system call and wakes
   * the player process). A reply's first audio still goes out at once. `woken` is the
   * timer set for the moment the device runs low: it tops up even when it fires slightly
   * early, since a second wake-up a millisecond later would cost as much as the first.
   */
  private pump(woken = false): void {
    if (this.held || this.opening) return;
    if (this.queue.length === 0) return this.feedSilence(woken);
    if (this.waitingForDevice()) return;
    const now = this.now();
    this.catchUp(now, woken || this.timer !== undefined);
    const leadMs = this.currentLeadMs();
    const refillBelowMs = leadMs / 2 + (woken ? TIMER_EARLY_MS : 0);
    if (this.deviceBusyUntil - now >= refillBelowMs) return this.wakeUpLater(now);
    const pieces: Buffer[] = [];
    while (this.queue.length && this.deviceBusyUntil - now < leadMs) {
      const next = this.takeChunk(now, leadMs);
      pieces.push(next.pcm);
      const durationMs = next.pcm.length / this.bytesPerMs;
      const startsAt = this.deviceBusyUntil + this.outputLatencyMs;
      this.scheduled.push({ itemId: next.itemId, levelDbfs: rmsDbfs(next.pcm), startsAt, durationMs });
      this.emit('sounding', next.pcm, startsAt);
      this.deviceBusyUntil += durationMs;
    }
    this.soundingUntil = this.deviceBusyUntil + this.outputLatencyMs;
    this.device.write(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces));
    if (this.scheduled.length > HISTORY_LIMIT) this.scheduled.splice(0, this.scheduled.length - HISTORY_LIMIT);
    this.wakeUpLater(now);
    if (this.queue.length === 0) this.followAudible();
  }

  /**
   * With `keepFedMs`, idle time is silence handed to the device, topped up to `leadMs` when
   * less than `belowMs` is left (by default when half of `keepFedMs` is).
   */
  private feedSilence(woken: boolean, leadMs = this.keepFedMs, belowMs = leadMs / 2): void {
    if (!this.feeding || this.closed || this.waitingForDevice()) return;
    const now = this.now();
    this.catchUp(now, woken || this.timer !== undefined);
    const held = this.deviceBusyUntil - now;
    if (held < belowMs + (woken ? TIMER_EARLY_MS : 0)) {
      const bytes = Math.round(((leadMs - held) * this.bytesPerMs) / 2) * 2;
      this.device.write(Buffer.alloc(bytes));
      this.deviceBusyUntil += bytes / this.bytesPerMs;
      // The timer set for the silence before is too early for this one.
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.wakeUpLater(now);
  }

  /**
   * A device that ran dry (longer ago than its own buffer covers) starts sounding again
   * now. A refill that was due (a timer was set for it) and finds the device (nearly)
   * empty is reported: it may have run dry unseen.
   */
  private catchUp(now: number, due: boolean): void {
    const held = this.deviceBusyUntil - now;
    // Up to `deviceBufferMs` late, the device still plays what it buffers itself: no step.
    if (due && held < UNDERRUN_SUSPECT_MS - this.deviceBufferMs) {
      this.emit('underrun', { from: this.deviceBusyUntil + this.outputLatencyMs, lateMs: Math.max(0, -held) } satisfies PacedPlayerUnderrun);
    }
    if (this.deviceBusyUntil < now - this.deviceBufferMs) this.deviceBusyUntil = now;
  }

  /** No timer runs while nothing is queued (unless kept fed); otherwise one wakes up when the device runs low. */
  private wakeUpLater(now: number): void {
    if (this.timer || (this.queue.length === 0 && !this.feeding) || this.closed) return;
    const lowAt = this.queue.length > 0 ? this.currentLeadMs() / 2 : now < this.topUpDueBy ? TOPPED_UP_LOW_MS : this.keepFedMs / 2;
    const wait = Math.min(Math.max(this.deviceBusyUntil - now - lowAt, 1), this.maxWaitMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump(true);
    }, wait);
    this.timer.unref();
  }

  /** The burst lead while a burst waits beyond what the device holds, the normal lead otherwise. */
  private currentLeadMs(): number {
    return this.queuedBytes / this.bytesPerMs >= this.burstLeadMs && this.burstLeadMs > this.leadMs ? this.burstLeadMs : this.leadMs;
  }

  /** Takes at most what fits in the lead, so one big delta cannot fill the device. */
  private takeChunk(now: number, leadMs: number): Queued {
    const head = this.queue[0]!;
    const roomMs = Math.max(leadMs - (this.deviceBusyUntil - now), 10);
    const roomBytes = Math.max(2, Math.floor((roomMs * this.bytesPerMs) / 2) * 2);
    if (head.pcm.length <= roomBytes) {
      this.queuedBytes -= head.pcm.length;
      return this.queue.shift()!;
    }
    const part = { itemId: head.itemId, pcm: head.pcm.subarray(0, roomBytes) };
    head.pcm = head.pcm.subarray(roomBytes);
    this.queuedBytes -= roomBytes;
    return part;
  }
}
