import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { Command } from 'commander';
import { addChatOptions } from '../../src/cli/chat-options.js';
import { applyConfigFile } from '../../src/cli/config-file.js';

test('config file settings apply, and flags on the command line win', async () => {
  const home = tempDir();
  mkdirSync(join(home, 'kaiwa'));
  writeFileSync(join(home, 'kaiwa', 'config.json'), JSON.stringify({ voice: 'marin', silenceMs: 700, language: 'ja', 'vad-threshold': 0.7, speaker: false, mic: false }));
  const server = await startScriptedServer();
  try {
    const result = await runKaiwa(['--url', server.url, '--voice', 'cedar'], { env: { OPENAI_API_KEY: 'sk-config-test-0000', XDG_CONFIG_HOME: home } });
    assert.equal(result.code, 0, result.stderr);
    const session = (server.connections[0]!.received[0] as unknown as { session: { audio: { input: { turn_detection: object; transcription: object }; output: { voice: string } } } }).session;
    assert.equal(session.audio.output.voice, 'cedar');
    assert.deepEqual(session.audio.input.turn_detection, { type: 'server_vad', threshold: 0.7, silence_duration_ms: 700 });
    assert.deepEqual(session.audio.input.transcription, { model: 'gpt-4o-mini-transcribe', language: 'ja' });
  } finally {
    await server.close();
  }
});

test('an unknown setting in the config file is refused by name', async () => {
  const dir = tempDir();
  const config = join(dir, 'c.json');
  writeFileSync(config, JSON.stringify({ voise: 'marin' }));
  const result = await runKaiwa(['--config', config], { env: { OPENAI_API_KEY: 'sk-config-test-0000' } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown setting "voise"/);
});

test('a config file saved with a UTF-8 byte-order mark is read like any other', async () => {
  const dir = tempDir();
  const config = join(dir, 'c.json');
  writeFileSync(config, `\uFEFF${JSON.stringify({ voise: 'marin' })}`);
  const result = await runKaiwa(['--config', config], { env: { OPENAI_API_KEY: 'sk-config-test-0000' } });
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown setting "voise"/, 'its settings were read (this one is refused by name), not the file refused as JSON');
});

test('a "no-" flag spelled as on the command line means what the flag means: "no-speaker": true turns the speaker off', () => {
  const config = join(tempDir(), 'c.json');
  writeFileSync(config, JSON.stringify({ 'no-speaker': true, 'no-mic': false, reconnect: false }));
  const command = addChatOptions(new Command('kaiwa')).exitOverride();
  command.parse([], { from: 'user' });
  applyConfigFile(command, config);
  const options = command.opts<{ speaker: boolean; mic: boolean; reconnect: boolean }>();
  assert.deepEqual({ speaker: options.speaker, mic: options.mic, reconnect: options.reconnect }, { speaker: false, mic: true, reconnect: false });
});
