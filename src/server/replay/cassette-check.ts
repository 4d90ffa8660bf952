/**
 * Whether a cassette replays as recorded. `kaiwa replay` skips a damaged line and plays on;
 * `kaiwa serve --replay` holds an app to the cassette, so a damaged one would test the app
 * against a conversation nobody had, and the run would pass or fail for the wrong reason. It
 * is refused before listening, with the one thing wrong. The exception is what a recorder
 * killed mid-session leaves (JsonlWriter writes each line in one call, WavFileWriter keeps the
 * WAV valid at every append): at worst a last line cut off. Its complete part is what was
 * recorded, so it replays with a warning.
 */
import { join } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Recording } from '../../recording/recording-reader.js';
import { CONVERSATION_WAV, EVENTS_JSONL, META_RECORDING_STOPPED } from '../../recording/recording-files.js';
import { WavChannelReader } from './wav-channel-reader.js';

/** wav_ms is rounded to whole ms; more than this short is audio the WAV lacks. */
const WAV_TOLERANCE_MS = 2;

/** Throws a UsageError naming what makes the cassette unfaithful; returns warnings for a recording cut short. */
export function checkCassette(recording: Recording): string[] {
  const eventsPath = join(recording.dir, EVENTS_JSONL);
  const warnings: string[] = [];
  const lastLine = recording.damagedLines.at(-1);
  const torn = lastLine !== undefined && lastLine.line === recording.unterminatedLine;
  const fatal = torn ? recording.damagedLines.slice(0, -1) : recording.damagedLines;
  if (fatal[0]) throw new UsageError(`cannot replay ${eventsPath}: line ${fatal[0].line} is ${fatal[0].problem}`);
  if (torn) warnings.push(`${eventsPath}: its last line (${recording.unterminatedLine}) was cut off, as when the recording server is killed; replaying the lines before it`);
  if (!recording.records.some((record) => record.dir === 'client' || record.dir === 'server')) {
    throw new UsageError(`cannot replay ${eventsPath}: it holds no events of a session${recording.records.length === 0 ? ' (it is empty)' : ''}`);
  }
  checkWav(recording);
  return warnings;
}

/** conversation.wav must be a WAV, and as long as the recorder said it was when it stopped. */
function checkWav(recording: Recording): void {
  if (!recording.wavPath) return;
  const wavPath = join(recording.dir, CONVERSATION_WAV);
  const wav = WavChannelReader.open(recording.wavPath);
  if (!wav) throw new UsageError(`cannot replay ${wavPath}: it is not a 16-bit PCM WAV file (damaged or cut short)`);
  const heldMs = (wav.frames / wav.sampleRate) * 1000;
  wav.close();
  // Only a recorder stopped cleanly says how much it wrote. The events' audio offsets are no
  // measure: audio cut off by an interruption keeps its offset but never reaches the file.
  const writtenMs = recording.records.find((record) => record.event.type === META_RECORDING_STOPPED)?.event.wav_ms;
  if (typeof writtenMs === 'number' && heldMs + WAV_TOLERANCE_MS < writtenMs) {
    throw new UsageError(`cannot replay ${wavPath}: it holds ${Math.floor(heldMs)} ms of audio, the recording wrote ${Math.round(writtenMs)} ms (the file was cut short)`);
  }
}
