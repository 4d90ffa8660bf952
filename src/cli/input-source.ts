import type { Readable } from 'node:stream';
import type { AudioSource, PcmFormat } from '../audio/devices.js';
import { openWavFileSource } from '../audio/wav-file-source.js';
import { WavStreamSource } from '../audio/wav-stream-source.js';
import { UsageError } from '../errors.js';

/** `--input -`: the WAV comes on standard input. */
export const STANDARD_INPUT = '-';

export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean };

/**
 * The audio `--input` names: a WAV file, its header read now (a bad one throws at once) and its
 * audio as it is played, or with `-` a WAV piped in on standard input, ready once its header has come.
 */
export function openInputSource(input: string, format: PcmFormat, stdin: InputStream): AudioSource | Promise<AudioSource> {
  if (input !== STANDARD_INPUT) return openWavFileSource(input, format);
  if (stdin.isTTY) throw new UsageError('--input -: standard input is a terminal; pipe a WAV into kaiwa (espeak-ng --stdout "hello" | kaiwa --input -)');
  return WavStreamSource.open(stdin as Readable, format, 'standard input');
}
