import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { setUpAudio } from '../../src/cli/audio-setup.js';
import { liveSoxPids } from '../../src/audio/sox-process.js';
import type { ChatOptions } from '../../src/cli/chat-options.js';
import type { Logger } from '../../src/logger.js';
import { fakeSox, waitFor } from '../helpers/audio-fake-sox.js';
import { tempDir } from '../helpers/temp-dir.js';

test('text answers open no speaker, so a machine without one gets no warning about it', async () => {
  const warnings: string[] = [];
  const logger = { log: (level: string, message: string) => { if (level !== 'debug') warnings.push(message); } } as Logger;
  const options = { speaker: true, mic: false, modalities: 'text', echoGuard: 'off', headphones: false, playbackLeadMs: 150 } as unknown as ChatOptions;
  const audio = await setUpAudio(options, { sampleRate: 24000 }, logger);
  assert.equal(audio.speaker, undefined);
  assert.equal(audio.source, undefined);
  assert.deepEqual(warnings, []);
});

const VOICE = { speaker: true, mic: true, echoGuard: 'off', headphones: false, playbackLeadMs: 150 } as unknown as ChatOptions;
const quiet: Logger = { log: () => undefined };

/** A stand-in SoX: records 40 ms blocks of silence at real time (its arguments end with "-"), or plays into nothing (its device open at once). */
function useStandInSox(): void {
  const sox = fakeSox(tempDir(), 'sox', `for last; do :; done
if [ "$last" = "-" ]; then
  while true; do head -c 1920 /dev/zero; sleep 0.04; done
fi
echo "Output File    : 'default' (pulseaudio)" >&2
exec cat > /dev/null`);
  process.env['KAIWA_SOX'] = sox;
}
afterEach(() => { delete process.env['KAIWA_SOX']; });

test('with a microphone, the speaker\'s SoX starts only once the microphone\'s first audio has gone to the session (its first append)', async () => {
  useStandInSox();
  const audio = await setUpAudio(VOICE, { sampleRate: 24000 }, quiet);
  try {
    assert.equal(liveSoxPids().length, 1, 'the speaker\'s SoX started before the microphone\'s first append');
    let soxAtFirstAudio: number | undefined;
    // As the session's first append does: the first audio handed on.
    audio.source!.once('data', () => { soxAtFirstAudio = liveSoxPids().length; });
    audio.source!.start();
    await waitFor(() => liveSoxPids().length === 2, 5000, 'the speaker\'s SoX');
    assert.equal(soxAtFirstAudio, 1, 'the speaker\'s SoX started before the first audio was handed on');
  } finally {
    await audio.speaker?.close();
    await audio.source?.stop();
  }
  assert.deepEqual(liveSoxPids(), []);
});

test('a reply that comes before the microphone\'s first append starts the speaker\'s SoX at once: it waits on nothing else', async () => {
  useStandInSox();
  const audio = await setUpAudio(VOICE, { sampleRate: 24000 }, quiet);
  try {
    assert.equal(liveSoxPids().length, 1);
    audio.speaker!.writeItem('reply', Buffer.alloc(4800));
    await waitFor(() => liveSoxPids().length === 2, 5000, 'the speaker\'s SoX');
  } finally {
    await audio.speaker?.close();
    await audio.source?.stop();
  }
  assert.deepEqual(liveSoxPids(), []);
});
