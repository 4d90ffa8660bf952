/**
 * Audio as it travels in events (base64 in the session's format) ↔ mono PCM16 at the
 * format's own rate (24 or 16 kHz for PCM16, 8 kHz for G.711), which is what the speech parts use.
 */
import { sampleRateOf, type AudioFormatName } from '../protocol/audio-format.js';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from '../audio/g711.js';
import { ProtocolFailure } from './protocol-failure.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function pcmRateOf(format: AudioFormatName): number {
  return sampleRateOf(format);
}

/** Decodes base64 wire audio to PCM16 bytes (possibly an odd count for pcm16; the caller carries it). */
export function decodeWireAudio(base64: string, format: AudioFormatName, param: string): Buffer {
  // Buffer.from silently skips junk characters, which would turn a client bug into noise.
  if (base64.length % 4 === 1 || !BASE64.test(base64)) {
    throw new ProtocolFailure(`Invalid '${param}': expected base64-encoded audio.`, 'invalid_value', param).saying('not base64 audio');
  }
  const bytes = Buffer.from(base64, 'base64');
  switch (format) {
    case 'pcm16':
    case 'pcm16-16k': return bytes;
    case 'g711-ulaw': return decodeUlaw(bytes);
    case 'g711-alaw': return decodeAlaw(bytes);
  }
}

export function encodeWireAudio(pcm: Buffer, format: AudioFormatName): string {
  switch (format) {
    case 'pcm16':
    case 'pcm16-16k': return pcm.toString('base64');
    case 'g711-ulaw': return encodeUlaw(pcm).toString('base64');
    case 'g711-alaw': return encodeAlaw(pcm).toString('base64');
  }
}

/** Milliseconds of mono PCM16 at `sampleRate`. */
export function pcmDurationMs(bytes: number, sampleRate: number): number {
  return (Math.floor(bytes / 2) / sampleRate) * 1000;
}

/** Byte offset (whole samples) of a time in mono PCM16. */
export function pcmOffset(ms: number, sampleRate: number): number {
  return Math.round((ms * sampleRate) / 1000) * 2;
}
