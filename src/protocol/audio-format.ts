import type { WireAudioFormat } from './events.js';

/** The three formats the Realtime API accepts, by the names kaiwa's flags use. */
export type AudioFormatName = 'pcm16' | 'g711-ulaw' | 'g711-alaw';
export type BetaAudioFormat = 'pcm16' | 'g711_ulaw' | 'g711_alaw';

export const AUDIO_FORMAT_NAMES: readonly AudioFormatName[] = ['pcm16', 'g711-ulaw', 'g711-alaw'];

const SAMPLE_RATES: Record<AudioFormatName, number> = {
  pcm16: 24000,
  'g711-ulaw': 8000,
  'g711-alaw': 8000,
};

export function sampleRateOf(format: AudioFormatName): number {
  return SAMPLE_RATES[format];
}

export function toGaFormat(format: AudioFormatName): WireAudioFormat {
  switch (format) {
    case 'pcm16': return { type: 'audio/pcm', rate: 24000 };
    case 'g711-ulaw': return { type: 'audio/pcmu' };
    case 'g711-alaw': return { type: 'audio/pcma' };
  }
}

export function toBetaFormat(format: AudioFormatName): BetaAudioFormat {
  return format.replace('-', '_') as BetaAudioFormat;
}

export function fromGaFormat(format: WireAudioFormat | undefined): AudioFormatName | undefined {
  switch (format?.type) {
    case 'audio/pcm': return 'pcm16';
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
