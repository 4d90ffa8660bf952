/**
 * The user's audio not yet committed to the conversation, as PCM16 at the input format's
 * rate. Times are ms since the first audio of the session (what `audio_start_ms` and
 * `audio_end_ms` count). Memory is bounded: the buffer refuses audio beyond `maxMs`, and
 * with turn detection the caller trims the silence that can no longer become a turn.
 */
import { ProtocolFailure } from './protocol-failure.js';
import { pcmDurationMs, pcmOffset } from './wire-audio.js';

export class InputAudioBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Session time of the buffer's first sample. */
  private startMs = 0;
  /** Session time just after the last appended sample. */
  private endMs = 0;
  /** Half a sample left over when a pcm16 chunk had an odd length. */
  private carry: Buffer | undefined;

  constructor(private sampleRate: number, private readonly maxMs: number) {}

  get rate(): number {
    return this.sampleRate;
  }

  get durationMs(): number {
    return this.endMs - this.startMs;
  }

  /** Session time up to which audio has been appended. */
  get sessionMs(): number {
    return this.endMs;
  }

  get bufferStartMs(): number {
    return this.startMs;
  }

  /** Adds audio and returns the whole samples added (what the speech detector should see). */
  append(pcm: Buffer): Buffer {
    let data = this.carry ? Buffer.concat([this.carry, pcm]) : pcm;
    this.carry = undefined;
    if (data.length % 2 === 1) {
      this.carry = data.subarray(data.length - 1);
      data = data.subarray(0, data.length - 1);
    }
    const addedMs = pcmDurationMs(data.length, this.sampleRate);
    if (this.durationMs + addedMs > this.maxMs) {
      throw new ProtocolFailure(
        `Input audio buffer is full: it holds ${Math.round(this.durationMs / 1000)} s and the limit is ${Math.round(this.maxMs / 1000)} s. Commit or clear it.`,
        'input_audio_buffer_full', null,
      ).saying('past the buffer limit');
    }
    if (data.length > 0) {
      this.chunks.push(data);
      this.bytes += data.length;
      this.endMs += addedMs;
    }
    return data;
  }

  /** Everything buffered, emptying the buffer (a manual commit). */
  takeAll(): Buffer {
    const all = this.concat();
    this.forget(this.endMs);
    return all;
  }

  /** Audio between two session times; everything before `toMs` is dropped (a VAD commit). */
  take(fromMs: number, toMs: number): Buffer {
    const all = this.concat();
    const from = pcmOffset(Math.max(0, fromMs - this.startMs), this.sampleRate);
    const to = pcmOffset(Math.max(0, Math.min(toMs, this.endMs) - this.startMs), this.sampleRate);
    const taken = Buffer.from(all.subarray(Math.min(from, to), to));
    this.keepFrom(all, to);
    return taken;
  }

  /** A copy of the audio from a session time to the end, leaving the buffer as it is. */
  copyFrom(fromMs: number): Buffer {
    const all = this.concat();
    return Buffer.from(all.subarray(Math.min(all.length, pcmOffset(Math.max(0, fromMs - this.startMs), this.sampleRate))));
  }

  /** Drops audio before a session time (silence that is no longer needed as padding). */
  trimBefore(ms: number): void {
    if (ms <= this.startMs) return;
    const all = this.concat();
    this.keepFrom(all, pcmOffset(Math.min(ms, this.endMs) - this.startMs, this.sampleRate));
  }

  clear(): void {
    this.forget(this.endMs);
    this.carry = undefined;
  }

  /** A new input format: the old samples cannot be mixed with the new ones. */
  changeRate(sampleRate: number): void {
    this.clear();
    this.sampleRate = sampleRate;
  }

  private keepFrom(all: Buffer, byteOffset: number): void {
    const rest = all.subarray(Math.min(byteOffset, all.length));
    this.startMs += pcmDurationMs(all.length - rest.length, this.sampleRate);
    this.chunks = rest.length > 0 ? [Buffer.from(rest)] : [];
    this.bytes = rest.length;
  }

  private forget(atMs: number): void {
    this.chunks = [];
    this.bytes = 0;
    this.startMs = atMs;
  }

  private concat(): Buffer {
    if (this.chunks.length !== 1) {
      const joined = Buffer.concat(this.chunks, this.bytes);
      this.chunks = this.bytes > 0 ? [joined] : [];
    }
    return this.chunks[0] ?? Buffer.alloc(0);
  }
}
