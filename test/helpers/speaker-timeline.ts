/** Helpers to read what a virtual speaker really played, recorded as mono PCM16. */

export interface Span {
  startMs: number;
  endMs: number;
}

/** Sounding spans (10 ms frames above a level), merging gaps shorter than `bridgeMs`. */
export function soundingSpans(samples: Int16Array, sampleRate: number, threshold = 500, bridgeMs = 60): Span[] {
  const frame = sampleRate / 100;
  const spans: Span[] = [];
  for (let start = 0; start + frame <= samples.length; start += frame) {
    let peak = 0;
    for (let i = start; i < start + frame; i++) peak = Math.max(peak, Math.abs(samples[i]!));
    if (peak < threshold) continue;
    const at = (start / sampleRate) * 1000;
    const last = spans.at(-1);
    if (last && at - last.endMs <= bridgeMs) last.endMs = at + 10;
    else spans.push({ startMs: at, endMs: at + 10 });
  }
  return spans;
}
