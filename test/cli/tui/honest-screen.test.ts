/** What the terminal shows is what is true: tmux captures of the cases that used to lie. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';
import { startPulse } from '../../helpers/audio-pulse.js';
import { initialUi, reduceUi } from '../../../src/cli/tui/ui-state.js';
import { HELP_TEXT, statusLine } from '../../../src/cli/tui/status-line.js';

test('without a microphone the status says so (type to talk), never "listening", and shows no level meter', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker');
  try {
    const screen = await tmux.waitFor(/no microphone · Enter to type/);
    assert.doesNotMatch(screen, /listening/);
    assert.doesNotMatch(screen, /▯▯▯/);
    tmux.sendKeys('q');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});

test('an empty push-to-talk press goes back to "press Space to talk", not "you\'re speaking"', () => {
  let state = reduceUi(initialUi({ offline: true, pushToTalk: true, microphone: true }), { type: 'connected' });
  state = reduceUi(state, { type: 'talking', talking: true });
  assert.equal(state.phase, 'user-speaking');
  state = reduceUi(state, { type: 'talking', talking: false });
  assert.equal(state.phase, 'listening');
  assert.match(statusLine(state, 100), /press Space to talk/);
  // The server hearing speech still shows it, and its end clears it.
  state = reduceUi(state, { type: 'server', event: { type: 'input_audio_buffer.speech_started', event_id: 'e', audio_start_ms: 0, item_id: 'i' } });
  assert.equal(state.phase, 'user-speaking');
  state = reduceUi(state, { type: 'server', event: { type: 'input_audio_buffer.speech_stopped', event_id: 'e', audio_end_ms: 900, item_id: 'i' } });
  assert.equal(state.phase, 'thinking');
});

test('the help names every key, y/n for a tool\'s question included', () => {
  for (const key of ['Space', 'Esc', 'Enter', 'y / n', 'q / Ctrl-C', '?']) assert.ok(HELP_TEXT.includes(key), key);
});

test('while the speaker plays the reply the status says the assistant is speaking, and goes back once it has sounded', async (t) => {
  const pulse = await startPulse();
  t.after(() => pulse.stop());
  const tmux = kaiwaInTmux('--local --no-mic --text "tell me a story about the sea"', 100, { PULSE_SERVER: pulse.server });
  try {
    await tmux.waitFor(/♪ assistant speaking/, 20_000);
    const screen = await tmux.waitFor(/assistant: You said: tell me a story about the sea[\s\S]*✎ no microphone · Enter to type/, 20_000);
    assert.doesNotMatch(screen, /♪ assistant speaking/);
    tmux.sendKeys('q');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
