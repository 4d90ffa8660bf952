import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';
import { fakeTerminal } from '../../helpers/fake-terminal.js';

test('a tool\'s question and a server\'s side text are drawn without their control sequences', async () => {
  const { ui, written } = fakeTerminal();
  try {
    const dismissed = new AbortController();
    const answer = ui.ask('run \u001b]0;TITLE\u0007evil\u001b[2J {"a":"\u009b1m"}\n? [y/n]', dismissed.signal);
    dismissed.abort();
    assert.equal(await answer, false);
    ui.aside('⋯ backend: \u001b]52;c;aGk=\u0007done');
  } finally {
    ui.close();
  }
  const output = written();
  assert.doesNotMatch(output, /TITLE|\u001b\]|\u001b\[2J|\u009b|aGk=/);
  assert.match(output, /run evil \{"a":""\} \? \[y\/n\] no/);
  assert.match(output, /\u001b\[2m⋯ backend: done\u001b\[22m/);
});

test('without a microphone every key types: the line is open from the start, q and Space are text, ? helps on an empty line, Ctrl-C quits', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker');
  try {
    let screen = await tmux.waitFor(/› ▏[\s\S]*no microphone · type to talk · offline \(local server\)/);
    assert.match(screen, /0→0 tok/);
    // What a user types first, before any Enter: nothing of it is taken for a command.
    tmux.sendKeys('-l', 'quick question about the sea');
    tmux.sendKeys('Enter');
    screen = await tmux.waitFor(/assistant: You said: quick question about the sea/);
    assert.match(screen, /you: quick question about the sea/);
    assert.ok(screen.indexOf('you: quick') < screen.indexOf('assistant: You said'), 'user line first');
    assert.doesNotMatch(screen, /muted/);
    screen = await tmux.waitFor(/[1-9]\d*→\d+ tok/);
    tmux.sendKeys('?');
    await tmux.waitFor(/Enter sends · Esc: clear the line/);
    tmux.sendKeys('C-c');
    screen = await tmux.waitFor(/\[exit 0\]/);
    assert.match(screen, /session ended: .* 1 response/);
  } finally {
    await tmux.kill();
  }
});

test('Japanese lines wrap and stay whole when the terminal is resized', async () => {
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 40);
  const text = '秋の風、少し寒くて、そっと終わる。タスク完了、おつかれさまです。';
  try {
    await tmux.waitFor(/no microphone/);
    tmux.sendKeys('-l', text);
    tmux.sendKeys('Enter');
    // The reply is complete once it stands above the status bar with nothing streaming.
    let screen = await tmux.waitFor(/assistant: You said:[\s\S]*です。\s*\n› ▏\s*\n✎ no microphone/);
    const joined = (s: string): string => s.split('\n').map((line) => line.replace(/\s+$/, '')).join('');
    assert.ok(joined(screen).includes(`assistant: You said: ${text}`), `wrapped text intact:\n${screen}`);
    tmux.resize(60, 24);
    // Redrawn for the new width: the status bar now has room for the whole server label (cut at 40 columns).
    screen = await tmux.waitFor(/✎ no microphone.*offline \(local server\)/);
    assert.ok(joined(screen).includes(`you: ${text}`), `user line survives the resize:\n${screen}`);
    assert.match(screen, /no microphone/);
    for (const line of screen.split('\n')) assert.ok(!line.includes('\u001b'), 'no stray escape codes');
    // Quit as a user would: killing the pane would leave the local server's temp files behind.
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
