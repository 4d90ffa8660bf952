/**
 * A WAV file played as if it were a microphone (`--input FILE.wav`): mono PCM16 at the session
 * rate, in 20 ms chunks, each when its audio would have been spoken (from start()), then 'end'.
 *
 * Its header is read now, so a missing or unusable file fails (a one-line error) before
 * anything else happens. Its audio is then read, converted and resampled in pieces as it is
 * played, by the same WavStreamSource that plays a WAV piped in: an hour-long file starts at
 * once and holds a few seconds of audio in memory, not the whole file.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { describeFileError } from '../file-errors.js';
import type { PcmFormat } from './devices.js';
import { readWavLayout, readWavLayoutPrefix, wavDataBytes, type WavLayout } from './riff-reader.js';
import { WavFormatError } from './wav-format.js';
import { WavStreamSource } from './wav-stream-source.js';

export interface WavFileSourceOptions {
  /** Pace chunks like a live microphone (default) or hand them out as fast as they are read. */
  realtime?: boolean;
  /** Milliseconds on a monotonic clock (tests pass their own). */
  clock?: () => number;
}

/** The header is looked for in pieces of this size (a sound tool's header fits in the first). */
const HEADER_PIECE_BYTES = 64 * 1024;

/**
 * Throws now for a file that cannot be played; otherwise resolves, on a later turn of the
 * event loop, with its source, ready to start().
 */
export function openWavFileSource(path: string, format: PcmFormat, options: WavFileSourceOptions = {}): Promise<WavStreamSource> {
  const fd = openWithWavHeader(path);
  // The same descriptor: the file checked is the file played, even if the path is replaced.
  const stream = createReadStream(path, { fd, start: 0 });
  return WavStreamSource.open(stream, format, path, { ...options, timeFrom: 'start', maxHeaderBytes: Number.POSITIVE_INFINITY });
}

/** An open descriptor of a file whose WAV header is whole and usable. */
function openWithWavHeader(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${describeFileError(error)}`);
  }
  try {
    checkWavHeader(fd);
    return fd;
  } catch (error) {
    closeSync(fd);
    if (error instanceof WavFormatError) throw new WavFormatError(`${path}: ${error.message}`);
    throw new UsageError(`cannot read ${path}: ${describeFileError(error)}`);
  }
}

/** Reads until the audio starts (or the file ends): a WavFormatError says what is wrong. */
function checkWavHeader(fd: number): void {
  let prefix = Buffer.alloc(0);
  for (;;) {
    const piece = Buffer.alloc(HEADER_PIECE_BYTES);
    const read = readSync(fd, piece, 0, piece.length, prefix.length);
    prefix = Buffer.concat([prefix, piece.subarray(0, read)]);
    const layout = readWavLayoutPrefix(prefix);
    if (layout) return checkHasAudio(fd, layout);
    if (read === 0) {
      // The whole file is read and holds no audio: the whole-file reader says why.
      readWavLayout(prefix);
      return;
    }
  }
}

/**
 * A file with not one sample in it (a recording that never started, a pipe that sent only the
 * header) would be played as nothing but the silence after it: a turn of silence, answered
 * and paid for. It is refused, as a bad input file is.
 */
function checkHasAudio(fd: number, layout: WavLayout): void {
  const frameBytes = layout.format.bytesPerSample * layout.format.channels;
  if (wavDataBytes(layout, fstatSync(fd).size - layout.dataOffset) < frameBytes) {
    throw new WavFormatError('it holds no audio (its data chunk is empty)');
  }
}
