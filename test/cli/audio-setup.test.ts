import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setUpAudio } from '../../src/cli/audio-setup.js';
import type { ChatOptions } from '../../src/cli/chat-options.js';
import type { Logger } from '../../src/logger.js';

test('text answers open no speaker, so a machine without one gets no warning about it', async () => {
  const warnings: string[] = [];
  const logger = { log: (level: string, message: string) => { if (level !== 'debug') warnings.push(message); } } as Logger;
  const options = { speaker: true, mic: false, modalities: 'text', echoGuard: 'off', headphones: false, playbackLeadMs: 150 } as unknown as ChatOptions;
  const audio = await setUpAudio(options, { sampleRate: 24000 }, logger);
  assert.equal(audio.speaker, undefined);
  assert.equal(audio.source, undefined);
  assert.deepEqual(warnings, []);
});
