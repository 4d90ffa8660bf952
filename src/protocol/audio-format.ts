import type { WireAudioFormat } from './events.js';

/**
 * The formats on the wire, by the names kaiwa's flags use: the three the Realtime API
 * accepts, and PCM16 at 16 kHz, which only GPT-Live takes (the Realtime API's PCM is 24 kHz).
 */
export type AudioFormatName = 'pcm16' | 'pcm16-16k' | 'g711-ulaw' | 'g711-alaw';
export type BetaAudioFormat = 'pcm16' | 'g711_ulaw' | 'g711_alaw';

export const AUDIO_FORMAT_NAMES: readonly AudioFormatName[] = ['pcm16', 'pcm16-16k', 'g711-ulaw', 'g711-alaw'];

/** Formats the Realtime API (GA and beta) has no word for. */
export const LIVE_ONLY_FORMATS: ReadonlySet<AudioFormatName> = new Set(['pcm16-16k']);

const SAMPLE_RATES: Record<AudioFormatName, number> = {
  pcm16: 24000,
  'pcm16-16k': 16000,
  'g711-ulaw': 8000,
  'g711-alaw': 8000,
};

export function sampleRateOf(format: AudioFormatName): number {
  return SAMPLE_RATES[format];
}

export function toGaFormat(format: AudioFormatName): WireAudioFormat {
  switch (format) {
    case 'pcm16': return { type: 'audio/pcm', rate: 24000 };
    // Never sent to the Realtime API (refused with --protocol other than live); GPT-Live's dialect reads the rate.
    case 'pcm16-16k': return { type: 'audio/pcm', rate: 16000 } as unknown as WireAudioFormat;
    case 'g711-ulaw': return { type: 'audio/pcmu' };
    case 'g711-alaw': return { type: 'audio/pcma' };
  }
}

export function toBetaFormat(format: AudioFormatName): BetaAudioFormat {
  return (format === 'pcm16-16k' ? 'pcm16' : format.replace('-', '_')) as BetaAudioFormat;
}

export function fromGaFormat(format: WireAudioFormat | undefined): AudioFormatName | undefined {
  switch (format?.type) {
    case 'audio/pcm': return (format as { rate?: number }).rate === 16000 ? 'pcm16-16k' : 'pcm16';
    case 'audio/pcmu': return 'g711-ulaw';
    case 'audio/pcma': return 'g711-alaw';
    default: return undefined;
  }
}

export function fromBetaFormat(format: unknown): AudioFormatName | undefined {
  switch (format) {
    case 'pcm16': return 'pcm16';
    case 'g711_ulaw': return 'g711-ulaw';
    case 'g711_alaw': return 'g711-alaw';
    default: return undefined;
  }
}
