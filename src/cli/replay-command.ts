import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SoxProcess, soxEnvironment, summarizeSoxStderr, type SoxExit } from '../audio/sox-process.js';
import { SOX_MISSING_MESSAGE } from '../audio/audio-device-error.js';
import { UsageError } from '../errors.js';
import { terminalSafeJson } from './json-printer.js';
import { readRecording, type Recording } from '../recording/recording-reader.js';
import { TranscriptBuilder } from '../recording/transcript-builder.js';
import { formatEntryLine, formatTimestamp, formatUsd, overWhat } from '../recording/transcript-format.js';
import { META_LOCAL_EVENT, type EventRecord } from '../recording/recording-files.js';
import { gaEventsOfLiveFrames } from '../protocol/live/live-replay.js';
import { own } from '../own-text.js';

export interface ReplayOptions {
  /** 2 plays twice as fast; the transcript keeps step with the audio at any speed. */
  speed: number;
  audio: boolean;
  json: boolean;
}

export interface ReplayIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Ends the replay early (Ctrl-C, a signal, the reader of its output gone): the player stops with it. */
  stop?: AbortSignal;
}

/** SoX's tempo effect keeps voices natural only within about this range. */
const AUDIO_SPEEDS = { min: 0.5, max: 4 };

/**
 * `kaiwa replay DIR`: the transcript of a recording, each line printed when it was said
 * (scaled by --speed), with conversation.wav playing alongside; or with --json the raw
 * events.jsonl. Resolves the exit code.
 */
export async function runReplay(dir: string, options: ReplayOptions, io: ReplayIo): Promise<number> {
  if (!(Number.isFinite(options.speed) && options.speed > 0)) {
    throw new UsageError(`--speed must be a number above 0, got ${String(options.speed)}`);
  }
  const recording = readRecording(dir);
  if (recording.skippedLines > 0) {
    io.stderr.write(`kaiwa: skipped ${recording.skippedLines} damaged line(s) of ${dir}/events.jsonl\n`);
  }
  if (options.json) {
    for (const line of recording.lines) io.stdout.write(`${terminalSafeJson(line)}\n`);
    return 0;
  }
  const transcript = new TranscriptBuilder({ model: recording.model ?? 'unknown' });
  const events = eventsOf(recording);
  for (const record of events) transcript.add(record);
  // A conversation held in text alone left a conversation.wav of silence: there is nothing to play.
  const player = options.audio && holdsAudio(events) ? startPlayer(recording, options.speed, io) : undefined;
  const endMs = recording.records.at(-1)?.t ?? 0;
  io.stdout.write(own`Replaying ${dir}: ${formatTimestamp(endMs)}, model ${transcript.model}, at ${options.speed}×\n`);
  const startedAt = performance.now();
  const stopped = io.stop ?? new AbortController().signal;
  for (const entry of transcript.entries) {
    const due = entry.atMs / options.speed - (performance.now() - startedAt);
    if (due > 0) await sleep(due, undefined, { signal: stopped }).catch(() => undefined);
    if (stopped.aborted) break;
    io.stdout.write(`${formatEntryLine(entry)}\n`);
  }
  if (player && !stopped.aborted) await Promise.race([player.finished, once(stopped, 'abort')]);
  if (stopped.aborted) {
    await player?.stop();
    return 0;
  }
  const total = transcript.totalCostUsd;
  if (transcript.responseCount > 0 || transcript.billedSeconds) {
    const cost = transcript.free ? 'free' : total === undefined ? `unknown (no price for ${transcript.model})` : formatUsd(total);
    io.stdout.write(`Cost: ${cost} ${overWhat(transcript)}\n`);
  }
  return 0;
}

/** The recording as kaiwa's own events: a recording of GPT-Live's frames is read through the Live dialect. */
function eventsOf(recording: Recording): readonly EventRecord[] {
  if (recording.protocol === undefined) return recording.records;
  if (recording.protocol === 'live') return gaEventsOfLiveFrames(recording.records, META_LOCAL_EVENT);
  throw new UsageError(`${recording.dir} holds the frames of a protocol this kaiwa cannot read (${recording.protocol})`);
}

/** Whether anyone was heard: audio the user sent (microphone, --input) or the assistant's voice. */
function holdsAudio(events: readonly EventRecord[]): boolean {
  return events.some(({ dir, event }) => (dir === 'client' && event.type === 'input_audio_buffer.append')
    || (dir === 'server' && event.type === 'response.output_audio.delta'));
}

interface Player {
  /** Resolves when playback has ended, however it ended. */
  finished: Promise<void>;
  /** Ends playback now; resolves once SoX is gone. */
  stop(): Promise<void>;
}

/**
 * Plays conversation.wav on the default device. Audio is a bonus here: if it cannot
 * play, the user still gets the transcript, with one line saying why there is no sound.
 */
function startPlayer(recording: Recording, speed: number, io: ReplayIo): Player | undefined {
  const note = (why: string) => io.stderr.write(`kaiwa: no audio: ${why}; showing the transcript only\n`);
  if (!recording.wavPath) {
    note(`${recording.dir} has no conversation.wav`);
    return undefined;
  }
  if (speed < AUDIO_SPEEDS.min || speed > AUDIO_SPEEDS.max) {
    note(`audio plays at speeds from ${AUDIO_SPEEDS.min} to ${AUDIO_SPEEDS.max} only`);
    return undefined;
  }
  const tempo = speed === 1 ? [] : ['tempo', String(speed)];
  const sox = new SoxProcess(['--no-show-progress', recording.wavPath, '--default-device', ...tempo], {
    stdin: 'ignore', stdout: 'ignore', env: soxEnvironment(),
  });
  const finished = sox.exited.then((exit) => {
    if (!sox.wasStopped && (exit.spawnError || exit.code !== 0)) note(describeFailure(exit));
  });
  return { finished, stop: async () => { await sox.stop(); await finished; } };
}

function describeFailure(exit: SoxExit): string {
  if (exit.spawnError?.code === 'ENOENT') return SOX_MISSING_MESSAGE.replace(/, or use .*$/, ', or pass --no-audio');
  if (exit.spawnError) return exit.spawnError.message;
  return summarizeSoxStderr(exit.stderr, exit.signal) ?? `SoX exited with code ${String(exit.code)}`;
}
