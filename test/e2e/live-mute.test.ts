import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPulse, SourceCapture, type PulseServer } from '../helpers/audio-pulse.js';
import { startLivePeer, type LiveConnection, type LivePeer } from '../helpers/live-peer.js';
import { TmuxSession } from '../helpers/tmux.js';
import { KAIWA_BIN } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { waitFor } from '../helpers/wait-for.js';

let pulse: PulseServer;
let peer: LivePeer;
before(async () => {
  pulse = await startPulse();
  peer = await startLivePeer();
});
after(async () => {
  await peer.close();
  await pulse.stop();
});

const appendsIn = (connection: LiveConnection, from = 0, to = connection.received.length): number =>
  connection.received.slice(from, to).filter((event) => event.type === 'session.input_audio.append').length;

const indexOf = (connection: LiveConnection, type: string): number => connection.received.findIndex((event) => event.type === type);

test('GPT-Live in the terminal: Space sends session.input_audio.mute, no audio goes out while muted, Space again unmutes', async () => {
  const dir = tempDir();
  const env = { PULSE_SERVER: pulse.server, XDG_RUNTIME_DIR: pulse.runtimeDir, OPENAI_API_KEY: 'sk-live-mute-0000', XDG_CONFIG_HOME: dir };
  const tmux = new TmuxSession(`node ${KAIWA_BIN} --url ${peer.url} --protocol live --headphones; sleep 30`, { width: 110, height: 30, env });
  // The sound server's clock: how much the microphone delivered while kaiwa was muted.
  const microphone = new SourceCapture('mic.monitor', 24000);
  try {
    await microphone.ready();
    const connection = await waitFor(() => peer.connections[0], { what: 'kaiwa to connect' });
    await waitFor(() => appendsIn(connection) >= 3, { what: 'the microphone streaming' });
    tmux.sendKeys('Space');
    await waitFor(() => connection.muted, { what: 'session.input_audio.mute' });
    await tmux.waitFor(/muted/);
    const mutedAt = indexOf(connection, 'session.input_audio.mute');
    const until = microphone.capturedSamples + 24000;
    await waitFor(() => microphone.capturedSamples >= until, { what: 'a second of the microphone while muted' });
    tmux.sendKeys('Space');
    await waitFor(() => !connection.muted, { what: 'session.input_audio.unmute' });
    const unmutedAt = indexOf(connection, 'session.input_audio.unmute');
    await waitFor(() => appendsIn(connection, unmutedAt) >= 3, { what: 'the microphone streaming again' });
    assert.equal(appendsIn(connection, mutedAt, unmutedAt), 0, 'no audio went out between mute and unmute');
    assert.ok(appendsIn(connection, 0, mutedAt) > 0, 'audio went out before');
  } finally {
    await tmux.kill();
    await microphone.stop();
  }
});
