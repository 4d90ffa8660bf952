/**
 * `--echo-guard pulse` on a real (private) PulseAudio: the microphone records from the
 * default source at once, while PulseAudio's echo canceller loads; once the session has its
 * first audio, SoX's stream is moved onto the canceller's source (the same process: no gap)
 * and the speaker's SoX, not started before, starts on the canceller's sink.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setUpAudio } from '../../src/cli/audio-setup.js';
import { liveSoxPids } from '../../src/audio/sox-process.js';
import type { ChatOptions } from '../../src/cli/chat-options.js';
import type { LogLevel, Logger } from '../../src/logger.js';
import { startPulse, type PulseServer } from '../helpers/audio-pulse.js';
import { waitFor } from '../helpers/wait-for.js';

let pulse: PulseServer;
before(async () => { pulse = await startPulse(); });
after(async () => { await pulse?.stop(); });

const OPTIONS = { speaker: true, mic: true, echoGuard: 'pulse', headphones: false, playbackLeadMs: 150 } as unknown as ChatOptions;

/** Where each SoX of ours records from or plays to: the source's or sink's name, by SoX's process id. */
function streamsOf(pids: number[], kind: 'source-outputs' | 'sink-inputs'): Map<number, string> {
  const names = new Map(pulse.pactl('list', 'short', kind === 'source-outputs' ? 'sources' : 'sinks').trim().split('\n')
    .map((line) => line.split('\t')).map(([index, name]) => [index!, name!]));
  const found = new Map<number, string>();
  for (const block of pulse.pactl('list', kind).split(/^(?:Source Output|Sink Input) #/m).slice(1)) {
    const pid = Number(/application\.process\.id = "(\d+)"/.exec(block)?.[1]);
    const device = /^\s*(?:Source|Sink): (\d+)$/m.exec(block)?.[1];
    if (pids.includes(pid) && device !== undefined) found.set(pid, names.get(device)!);
  }
  return found;
}

test('pulse: the recording starts on the default source and is moved onto the canceller\'s, the speaker plays to its sink', async () => {
  const notes: Array<[LogLevel, string]> = [];
  const logger: Logger = { log: (level, message) => notes.push([level, message]) };
  const audio = await setUpAudio(OPTIONS, { sampleRate: 24000 }, logger);
  try {
    assert.equal(audio.echoGuard.mode, 'pulse');
    // The speaker's SoX starts once the microphone's first append has gone (audio-setup.ts).
    const [recorderPid] = liveSoxPids() as [number];
    assert.equal(liveSoxPids().length, 1, 'the speaker\'s SoX started before the session had the microphone');
    await waitFor(() => streamsOf([recorderPid], 'source-outputs').size === 1, { what: 'the recording stream', timeoutMs: 5000 });
    assert.equal(streamsOf([recorderPid], 'source-outputs').get(recorderPid), 'mic.monitor', 'recording began elsewhere than the default source');
    const moved = (): boolean => notes.some(([, message]) => message === 'recording moved onto the echo canceller');
    // The session has the microphone: the held audio goes out, the recording is moved, the speaker's SoX starts on the canceller's sink.
    audio.source!.start();
    await waitFor(() => liveSoxPids().length === 2, { what: 'the speaker\'s SoX', timeoutMs: 10_000 });
    const playerPid = liveSoxPids()[1]!;
    await waitFor(moved, { what: 'the move onto the canceller', timeoutMs: 10_000 });
    assert.ok(!notes.some(([, message]) => message.includes('restarted')), notes.map(([, message]) => message).join(' | '));
    assert.match(streamsOf([recorderPid], 'source-outputs').get(recorderPid) ?? '', /^kaiwa_ec_\d+_src$/, 'the same SoX now records from the canceller');
    await waitFor(() => /^kaiwa_ec_\d+_sink$/.test(streamsOf([playerPid], 'sink-inputs').get(playerPid) ?? ''), { what: 'the speaker\'s SoX on the canceller\'s sink', timeoutMs: 5000 });
    assert.deepEqual(liveSoxPids(), [recorderPid, playerPid], 'a SoX was replaced rather than moved');
  } finally {
    await audio.speaker?.close();
    await audio.source?.stop();
    if (audio.echoGuard.mode === 'pulse') await audio.echoGuard.unload();
  }
  assert.doesNotMatch(pulse.pactl('list', 'short', 'modules'), /module-echo-cancel/);
});
