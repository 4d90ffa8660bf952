import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { addChatOptions, type ChatOptions } from '../../src/cli/chat-options.js';
import { buildSessionConfig } from '../../src/cli/session-from-flags.js';
import { checkSessionFlags } from '../../src/cli/session-flag-checks.js';
import { dialectFor } from '../../src/protocol/dialects.js';
import { answering } from '../helpers/own-response.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';
import { gaVoiceTurn } from '../helpers/event-scripts.js';
import { assertNoStackTrace, runKaiwa, type KaiwaResult } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const KEY = 'sk-settings-test-key-55555';

type Json = Record<string, unknown>;

function parse(args: string[]): ChatOptions {
  const command = addChatOptions(new Command('kaiwa')).exitOverride();
  command.parse(args, { from: 'user' });
  return command.opts<ChatOptions>();
}

/** The session.update as it goes on the wire in the options' dialect, and the lines said about it. */
function wireSession(args: string[]): { session: Json; notices: string[] } {
  const options = parse(args);
  checkSessionFlags(options);
  const notices: string[] = [];
  const session = buildSessionConfig(options, undefined, (line) => notices.push(line));
  const wire = dialectFor(options.protocol).clientToWire({ type: 'session.update', session });
  return { session: wire.session as Json, notices };
}

function audioOf(session: Json): { input: Json; output: Json } {
  const audio = session.audio as { input: Json; output?: Json };
  return { input: audio.input, output: audio.output ?? {} };
}

test('each GA setting lands where the SDK types put it', () => {
  const ga = (args: string[]) => wireSession(args).session;
  assert.deepEqual(audioOf(ga(['--noise-reduction', 'near_field'])).input.noise_reduction, { type: 'near_field' });
  assert.deepEqual(audioOf(ga(['--noise-reduction', 'far_field'])).input.noise_reduction, { type: 'far_field' });
  assert.equal(audioOf(ga(['--noise-reduction', 'off'])).input.noise_reduction, null);
  assert.equal(audioOf(ga(['--speed', '1.25'])).output.speed, 1.25);
  assert.deepEqual(audioOf(ga(['--idle-timeout-ms', '6000'])).input.turn_detection, { type: 'server_vad', idle_timeout_ms: 6000 });
  assert.equal(ga(['--truncation', 'auto']).truncation, 'auto');
  assert.equal(ga(['--truncation', 'disabled']).truncation, 'disabled');
  assert.deepEqual(ga(['--truncation', '0.8']).truncation, { type: 'retention_ratio', retention_ratio: 0.8 });
  assert.deepEqual(ga(['--prompt-id', 'pmpt_123']).prompt, { id: 'pmpt_123' });
  assert.deepEqual(ga(['--prompt-id', 'pmpt_123', '--prompt-version', '4', '--prompt-var', 'name=Kai', '--prompt-var', 'city=Ōsaka=jp']).prompt,
    { id: 'pmpt_123', version: '4', variables: { name: 'Kai', city: 'Ōsaka=jp' } });
  assert.deepEqual(audioOf(ga(['--transcribe-prompt', 'names: Kaiwa, Ōsaka'])).input.transcription,
    { model: 'gpt-4o-mini-transcribe', prompt: 'names: Kaiwa, Ōsaka' });
  assert.deepEqual(audioOf(ga(['--language', 'ja'])).input.transcription, { model: 'gpt-4o-mini-transcribe', language: 'ja' });
  assert.deepEqual(audioOf(ga(['--transcribe', 'gpt-transcribe', '--language', 'ja,en'])).input.transcription,
    { model: 'gpt-transcribe', languages: ['ja', 'en'] });
  assert.equal(audioOf(ga(['--voice', 'marin'])).output.voice, 'marin');
  assert.deepEqual(audioOf(ga(['--voice', 'voice_abc123'])).output.voice, { id: 'voice_abc123' });
  // unset flags send nothing: the server's defaults stay
  const plain = ga([]);
  assert.equal(plain.truncation, undefined);
  assert.equal(plain.prompt, undefined);
  assert.equal(audioOf(plain).input.noise_reduction, undefined);
  assert.equal(audioOf(plain).output.speed, undefined);
});

test('on beta: settings go to the beta fields, and those without one are named in one line each', () => {
  const beta = (args: string[]) => wireSession(['--protocol', 'beta', ...args]);
  assert.deepEqual(beta(['--noise-reduction', 'far_field']).session.input_audio_noise_reduction, { type: 'far_field' });
  assert.equal(beta(['--noise-reduction', 'off']).session.input_audio_noise_reduction, null);
  assert.equal(beta(['--speed', '0.5']).session.speed, 0.5);
  assert.deepEqual(beta(['--idle-timeout-ms', '30000']).session.turn_detection, { type: 'server_vad', idle_timeout_ms: 30000 });
  assert.deepEqual(beta(['--prompt-id', 'pmpt_9', '--prompt-var', 'a=b']).session.prompt, { id: 'pmpt_9', variables: { a: 'b' } });
  assert.deepEqual(beta(['--transcribe-prompt', 'Kaiwa', '--language', 'ja']).session.input_audio_transcription,
    { model: 'whisper-1', language: 'ja', prompt: 'Kaiwa' });
  assert.equal(beta(['--voice', 'ash']).session.voice, 'ash');
  const truncation = beta(['--truncation', '0.5']);
  assert.equal(truncation.session.truncation, undefined);
  assert.deepEqual(truncation.notices, ['--truncation has no equivalent in the beta protocol (realtime=v1); not sent']);
  const custom = beta(['--voice', 'voice_abc123']);
  assert.equal(custom.session.voice, undefined);
  assert.deepEqual(custom.notices, ['--voice with a custom voice id has no equivalent in the beta protocol (realtime=v1); not sent']);
  assert.deepEqual(beta(['--speed', '1.5', '--noise-reduction', 'near_field']).notices, []);
});

function assertOneLine(result: KaiwaResult, pattern: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assertNoStackTrace(result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, pattern);
}

test('bad values: one line, exit 2, before connecting', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['--noise-reduction', 'loud'], /--noise-reduction <kind>' argument 'loud' is invalid\. Allowed choices are near_field, far_field, off/],
    [['--speed', '2'], /--speed <0\.25\.\.1\.5>' argument '2' is invalid\. expected a number from 0\.25 to 1\.5/],
    [['--idle-timeout-ms', '100'], /expected a whole number from 5000 to 30000/],
    [['--idle-timeout-ms', '6000', '--vad', 'semantic'], /^kaiwa: --idle-timeout-ms works with server VAD only \(--vad server\), not --vad semantic$/],
    [['--truncation', '1.5'], /expected auto, disabled, or a retention ratio from 0 to 1/],
    [['--truncation', 'sometimes'], /expected auto, disabled, or a retention ratio from 0 to 1/],
    [['--prompt-var', 'nameKai', '--prompt-id', 'p'], /--prompt-var <name=value>' argument 'nameKai' is invalid\. expected NAME=VALUE/],
    [['--prompt-version', '2'], /^kaiwa: --prompt-version and --prompt-var need --prompt-id/],
    [['--output', '-'], /^kaiwa: --output -: standard output carries the transcript; give the WAV a file name$/],
    [['--language', 'japanese'], /"japanese" is not a language code/],
    [['--language', 'ja,jp'], /"jp" is not a language code \(did you mean ja\?\)$/],
    [['--voice', 'marine'], /unknown voice "marine": use alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar, or a custom voice id \(voice_…\)$/],
  ];
  for (const [args, pattern] of cases) {
    assertOneLine(await runKaiwa([...args, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } }), pattern);
  }
});

function firstSession(server: ScriptedServer): Json {
  return (server.connections[0]!.received.find((event) => event.type === 'session.update') as unknown as { session: Json }).session;
}

test('the flags reach the wire in session.update (GA, a scripted peer)', async () => {
  const server = await startScriptedServer();
  try {
    const result = await runKaiwa([
      '--url', server.url, '--noise-reduction', 'far_field', '--speed', '1.1', '--idle-timeout-ms', '8000',
      '--truncation', '0.75', '--prompt-id', 'pmpt_abc', '--prompt-version', '2', '--prompt-var', 'user=Aiko',
      '--transcribe-prompt', 'Aiko, Kaiwa', '--language', 'ja', '--voice', 'voice_custom1', '--no-mic', '--no-speaker',
    ], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    const session = firstSession(server);
    assert.deepEqual(session.truncation, { type: 'retention_ratio', retention_ratio: 0.75 });
    assert.deepEqual(session.prompt, { id: 'pmpt_abc', version: '2', variables: { user: 'Aiko' } });
    assert.deepEqual(session.audio, {
      input: {
        transcription: { model: 'gpt-4o-mini-transcribe', language: 'ja', prompt: 'Aiko, Kaiwa' },
        noise_reduction: { type: 'far_field' },
        turn_detection: { type: 'server_vad', idle_timeout_ms: 8000 },
      },
      output: { voice: { id: 'voice_custom1' }, speed: 1.1 },
    });
  } finally {
    await server.close();
  }
});

test('the same settings as config-file keys', async () => {
  const home = tempDir();
  mkdirSync(join(home, 'kaiwa'));
  writeFileSync(join(home, 'kaiwa', 'config.json'), JSON.stringify({
    noiseReduction: 'near_field', speed: 0.9, 'idle-timeout-ms': 12000, truncation: 'disabled', promptId: 'pmpt_cfg',
    promptVar: { team: 'blue', level: 3 }, transcribePrompt: 'kaiwa', language: 'en,ja', transcribe: 'gpt-transcribe', voice: 'cedar',
  }));
  const server = await startScriptedServer();
  try {
    const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY, XDG_CONFIG_HOME: home } });
    assert.equal(result.code, 0, result.stderr);
    const session = firstSession(server);
    assert.equal(session.truncation, 'disabled');
    assert.deepEqual(session.prompt, { id: 'pmpt_cfg', variables: { team: 'blue', level: '3' } });
    assert.deepEqual(session.audio, {
      input: {
        transcription: { model: 'gpt-transcribe', languages: ['en', 'ja'], prompt: 'kaiwa' },
        noise_reduction: { type: 'near_field' },
        turn_detection: { type: 'server_vad', idle_timeout_ms: 12000 },
      },
      output: { voice: 'cedar', speed: 0.9 },
    });
  } finally {
    await server.close();
  }
  writeFileSync(join(home, 'kaiwa', 'config.json'), JSON.stringify({ speed: 3 }));
  assertOneLine(await runKaiwa(['--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY, XDG_CONFIG_HOME: home } }),
    /^kaiwa: config file .*config\.json: "speed" expected a number from 0\.25 to 1\.5$/);
  writeFileSync(join(home, 'kaiwa', 'config.json'), JSON.stringify({ promptVar: ['ok=1', 'broken'] }));
  assertOneLine(await runKaiwa(['--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY, XDG_CONFIG_HOME: home } }),
    /^kaiwa: config file .*config\.json: "promptVar" expected NAME=VALUE$/);
});

test('input_audio_buffer.timeout_triggered is shown in one line', async () => {
  const server = await startScriptedServer({
    onEvent: (connection, event) => {
      if (event.type !== 'response.create') return;
      connection.send({ type: 'input_audio_buffer.timeout_triggered', event_id: 'event_t1', item_id: 'item_t1', audio_start_ms: 2000, audio_end_ms: 8000 });
      for (const reply of answering(event, gaVoiceTurn({ assistantTranscript: 'Are you still there?', audioChunks: [] }))) connection.send(reply);
    },
  });
  try {
    const result = await runKaiwa(['--url', server.url, '--idle-timeout-ms', '6000', '--text', 'hi', '--once', '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: KEY } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^no speech for 6\.0 s \(--idle-timeout-ms\): the assistant will prompt you$/m);
  } finally {
    await server.close();
  }
});
