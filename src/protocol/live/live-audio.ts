import type { AudioFormatName } from '../audio-format.js';
import type { LiveAudioFormat } from './live-types.js';

/**
 * kaiwa's wire formats as Live names them: one `audio.format` for both directions. PCM16
 * at 24 or 16 kHz, G.711 at 8 kHz.
 */
export function toLiveFormat(format: AudioFormatName): LiveAudioFormat {
  switch (format) {
    case 'pcm16': return { type: 'audio/pcm', rate: 24000 };
    case 'pcm16-16k': return { type: 'audio/pcm', rate: 16000 };
    case 'g711-ulaw': return { type: 'audio/pcmu', rate: 8000 };
    case 'g711-alaw': return { type: 'audio/pcma', rate: 8000 };
  }
}

export function fromLiveFormat(format: LiveAudioFormat | undefined): AudioFormatName | undefined {
  switch (format?.type) {
    case 'audio/pcm': return format.rate === 16000 ? 'pcm16-16k' : 'pcm16';
    case 'audio/pcmu': return 'g711-ulaw';
    case 'audio/pcma': return 'g711-alaw';
    default: return undefined;
  }
}

/** Bytes per millisecond of mono audio in a Live format (PCM16: 2 bytes a sample; G.711: 1). */
export function liveBytesPerMs(format: LiveAudioFormat): number {
  const bytesPerSample = format.type === 'audio/pcm' ? 2 : 1;
  return (format.rate * bytesPerSample) / 1000;
}

/** The field of a Live frame that carries a chunk of the conversation's audio (the microphone's, or the model's voice). */
export function liveAudioField(frame: { type: string }): 'audio' | 'delta' | undefined {
  switch (frame.type) {
    case 'session.input_audio.append': return 'audio';
    case 'session.output_audio.delta': return 'delta';
    default: return undefined;
  }
}
