import type { Readable } from 'node:stream';
import type { AudioSource, PcmFormat } from '../audio/devices.js';
import { WavFileSource } from '../audio/wav-file-source.js';
import { WavStreamSource } from '../audio/wav-stream-source.js';
import { UsageError } from '../errors.js';

/** `--input -`: the WAV comes on standard input. */
export const STANDARD_INPUT = '-';

export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean };

/**
 * The audio `--input` names: a WAV file, read whole now (a bad one throws at once), or with
 * `-` a WAV piped in on standard input, ready once its header has come.
 */
export function openInputSource(input: string, format: PcmFormat, stdin: InputStream): AudioSource | Promise<AudioSource> {
  if (input !== STANDARD_INPUT) return WavFileSource.open(input, format);
  if (stdin.isTTY) throw new UsageError('--input -: standard input is a terminal; pipe a WAV into kaiwa (espeak-ng --stdout "hello" | kaiwa --input -)');
  return WavStreamSource.open(stdin as Readable, format, 'standard input');
}
