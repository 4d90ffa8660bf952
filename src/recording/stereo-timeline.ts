/**
 * The audio of a conversation laid out on one clock, in frames (samples per channel) since
 * the recording started: the user on the left, the assistant on the right, silence where
 * nobody spoke. Audio waits here until render() hands it to the file, and until then the
 * assistant's part can still be cut, because a player that is interrupted never plays what
 * it had queued. What has been rendered is final.
 */

interface Segment {
  start: number;
  samples: Int16Array;
  itemId?: string;
}

export class StereoTimeline {
  /** Frames already rendered; nothing can be placed or cut before this point any more. */
  written = 0;
  private readonly user: Segment[] = [];
  private readonly assistant: Segment[] = [];
  /** Per assistant item, samples already rendered, so truncation can count from the item's start. */
  private readonly renderedOfItem = new Map<string, number>();

  placeUser(start: number, samples: Int16Array): void {
    this.place(this.user, { start, samples });
  }

  placeAssistant(itemId: string, start: number, samples: Int16Array): void {
    this.place(this.assistant, { start, samples, itemId });
  }

  /** Where the last placed user audio ends (or `written`, if it has all been rendered). */
  get userEnd(): number {
    return endOf(this.user, this.written);
  }

  /** Where the last placed assistant audio ends (or `written`, if it has all been rendered). */
  get assistantEnd(): number {
    return endOf(this.assistant, this.written);
  }

  /** Where the last placed audio of either channel ends. */
  get end(): number {
    return Math.max(this.userEnd, this.assistantEnd);
  }

  /**
   * The player stopped at `frame`: assistant audio from there on is never heard. Returns
   * the items that lost audio.
   */
  cutAssistantFrom(frame: number): Set<string> {
    const at = Math.max(frame, this.written);
    const affected = new Set<string>();
    for (const segment of this.assistant) {
      const keep = Math.max(0, at - segment.start);
      if (keep >= segment.samples.length) continue;
      segment.samples = segment.samples.subarray(0, keep);
      if (segment.itemId) affected.add(segment.itemId);
    }
    this.removeEmpty(this.assistant);
    return affected;
  }

  /**
   * Keeps the first `keepSamples` samples of an item's audio, counted from the item's
   * start as the server counts `audio_end_ms`, and drops the rest that is not yet rendered.
   */
  truncateItem(itemId: string, keepSamples: number): void {
    let offset = this.renderedOfItem.get(itemId) ?? 0;
    for (const segment of this.assistant) {
      if (segment.itemId !== itemId) continue;
      const length = segment.samples.length;
      const alreadyRendered = Math.max(0, this.written - segment.start);
      const keep = Math.min(length, Math.max(keepSamples - offset, alreadyRendered, 0));
      segment.samples = segment.samples.subarray(0, keep);
      offset += length;
    }
    this.removeEmpty(this.assistant);
  }

  /**
   * Interleaved stereo PCM16 for the frames from `written` up to `until`, which then
   * become final.
   */
  render(until: number): Int16Array {
    const frames = Math.max(0, until - this.written);
    const out = new Int16Array(frames * 2);
    mix(out, this.user, this.written, frames, 0);
    mix(out, this.assistant, this.written, frames, 1);
    this.written += frames;
    this.forgetRendered(this.user);
    this.forgetRendered(this.assistant);
    return out;
  }

  private place(channel: Segment[], segment: Segment): void {
    if (segment.samples.length === 0) return;
    // Audio is never placed into the part already on disk: it moves to just after it.
    const shift = Math.max(0, this.written - segment.start);
    channel.push({ ...segment, start: segment.start + shift });
  }

  private forgetRendered(channel: Segment[]): void {
    for (let i = channel.length - 1; i >= 0; i--) {
      const segment = channel[i]!;
      if (segment.start + segment.samples.length > this.written) continue;
      if (segment.itemId) {
        this.renderedOfItem.set(segment.itemId, (this.renderedOfItem.get(segment.itemId) ?? 0) + segment.samples.length);
      }
      channel.splice(i, 1);
    }
  }

  private removeEmpty(channel: Segment[]): void {
    for (let i = channel.length - 1; i >= 0; i--) if (channel[i]!.samples.length === 0) channel.splice(i, 1);
  }
}

function endOf(channel: readonly Segment[], from: number): number {
  return channel.reduce((end, s) => Math.max(end, s.start + s.samples.length), from);
}

/** Copies the channel's samples that fall in [from, from + frames) into slot `lane` of each frame. */
function mix(out: Int16Array, channel: readonly Segment[], from: number, frames: number, lane: 0 | 1): void {
  for (const segment of channel) {
    const first = Math.max(from, segment.start);
    const last = Math.min(from + frames, segment.start + segment.samples.length);
    for (let frame = first; frame < last; frame++) {
      out[(frame - from) * 2 + lane] = segment.samples[frame - segment.start]!;
    }
  }
}
