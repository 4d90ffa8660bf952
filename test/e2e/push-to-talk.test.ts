import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPulse, type PulseServer } from '../helpers/audio-pulse.js';
import { startLoggingProxy, type LoggingProxy } from '../helpers/logging-proxy.js';
import { TmuxSession } from '../helpers/tmux.js';
import { KAIWA_BIN } from '../helpers/cli-runner.js';
import { count, playInto } from '../helpers/loop-scenario.js';
import { speechWav, tempDir } from '../helpers/wav-fixtures.js';
import { startRealtimeServer, type RealtimeServer } from '../../src/server/realtime-server.js';
import { EchoEngine } from '../../src/server/engines/echo-engine.js';
import { loadSpeechParts } from '../../src/server/speech-parts.js';

let pulse: PulseServer;
let server: RealtimeServer;
let proxy: LoggingProxy;
before(async () => {
  pulse = await startPulse();
  server = await startRealtimeServer({ port: 0, engine: new EchoEngine(), speech: await loadSpeechParts() });
  proxy = await startLoggingProxy(server.url);
});
after(async () => {
  await proxy.close();
  await server.close();
  await pulse.stop();
});

test('push-to-talk in the terminal: one commit and one response per press, none for an empty press', async () => {
  const dir = tempDir();
  const speech = speechWav(dir, 'What is the capital of France?', 48000);
  const env = { PULSE_SERVER: pulse.server, XDG_RUNTIME_DIR: pulse.runtimeDir, OPENAI_API_KEY: 'sk-ptt-test-0000', XDG_CONFIG_HOME: dir };
  const tmux = new TmuxSession(`node ${KAIWA_BIN} --url ${proxy.url} --vad none --headphones; sleep 30`, { width: 110, height: 30, env });
  const commits = (): number => count(proxy, 'client', 'input_audio_buffer.commit');
  const creates = (): number => count(proxy, 'client', 'response.create');
  const press = async (): Promise<void> => {
    tmux.sendKeys('Space');
    await tmux.waitFor(/you’re speaking/);
    await playInto('mic', speech);
    tmux.sendKeys('Space');
  };
  try {
    await tmux.waitFor(/press Space to talk/);
    await press();
    await tmux.waitFor(/assistant: /);
    assert.equal(commits(), 1);
    assert.equal(creates(), 1);
    // Both presses in one write: under load two tmux commands can be far enough apart for a
    // block of the (silent) microphone to arrive between them, which is then not an empty press.
    tmux.sendKeys('Space', 'Space');
    await tmux.waitFor(/nothing recorded/);
    assert.equal(commits(), 1, 'an empty press is not committed');
    await press();
    // The second answer is done: any commit or error of the presses has crossed the proxy by now.
    await proxy.waitFor((log) => log.filter((event) => event.from === 'server' && event.type === 'response.done').length >= 2, { what: 'the second answer' });
    assert.equal(commits(), 2, 'an empty press is not committed');
    assert.equal(creates(), 2);
    const errors = proxy.log.filter((logged) => logged.from === 'server' && logged.type === 'error');
    const order = proxy.log.filter((logged) => logged.type !== 'input_audio_buffer.append' && !/delta$/.test(logged.type)).map((logged) => `${logged.from}:${logged.type}`);
    assert.equal(errors.length, 0, `no commit_empty or active-response errors: ${JSON.stringify(errors.map((logged) => logged.event))} after ${order.join(' ')}`);
  } finally {
    await tmux.kill();
  }
});
