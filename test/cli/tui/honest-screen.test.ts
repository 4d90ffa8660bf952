/** What the terminal shows is what is true: tmux captures of the cases that used to lie. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';
import { startPulse } from '../../helpers/audio-pulse.js';
import { initialUi, reduceUi } from '../../../src/cli/tui/ui-state.js';
import { HELP_TEXT, TYPING_HELP_TEXT, statusLine } from '../../../src/cli/tui/status-line.js';

test('without a microphone the status says so (type to talk), never "listening" nor "muted", and shows no level meter', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker');
  try {
    let screen = await tmux.waitFor(/no microphone · type to talk/);
    assert.doesNotMatch(screen, /listening/);
    assert.doesNotMatch(screen, /▯▯▯/);
    // Space is a key that mutes a microphone; without one it is a space in the line.
    tmux.sendKeys('Space');
    tmux.sendKeys('-l', 'x');
    screen = await tmux.waitFor(/› {2}x▏/);
    assert.doesNotMatch(screen, /muted/);
    tmux.sendKeys('C-c');
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

test('the help names every key, y/n for a tool\'s question included; without a microphone, the keys of an always-open line', () => {
  for (const key of ['Space', 'Esc', 'Enter', 'y / n', 'q / Ctrl-C', '?']) assert.ok(HELP_TEXT.includes(key), key);
  for (const key of ['Enter sends', 'Esc', 'y / n', '?', 'Ctrl-C']) assert.ok(TYPING_HELP_TEXT.includes(key), key);
  assert.doesNotMatch(TYPING_HELP_TEXT, /\bq\b|Space/, 'q and Space are text there');
});

test('while the speaker plays the reply the status says the assistant is speaking, and goes back once it has sounded', async (t) => {
  const pulse = await startPulse();
  t.after(() => pulse.stop());
  const tmux = kaiwaInTmux('--local --no-mic --text "tell me a story about the sea"', 100, { PULSE_SERVER: pulse.server });
  try {
    await tmux.waitFor(/♪ assistant speaking/, 20_000);
    const screen = await tmux.waitFor(/assistant: You said: tell me a story about the sea[\s\S]*✎ no microphone · type to talk/, 20_000);
    assert.doesNotMatch(screen, /♪ assistant speaking/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
