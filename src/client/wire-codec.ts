import type { AudioFormatName } from '../protocol/audio-format.js';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from '../audio/g711.js';

/**
 * Converts between kaiwa's internal PCM16 (at the format's native rate) and the bytes the
 * session's audio format puts on the wire. Rates never change here: G.711 audio is
 * recorded and played at 8 kHz, so no resampling sits in the live path.
 */
export interface WireCodec {
  readonly format: AudioFormatName;
  encode(pcm: Buffer): Buffer;
  decode(wire: Buffer): Buffer;
}

export function wireCodecFor(format: AudioFormatName): WireCodec {
  switch (format) {
    case 'pcm16':
    case 'pcm16-16k': return { format, encode: (pcm) => pcm, decode: (wire) => wire };
    case 'g711-ulaw': return { format, encode: encodeUlaw, decode: decodeUlaw };
    case 'g711-alaw': return { format, encode: encodeAlaw, decode: decodeAlaw };
  }
}
