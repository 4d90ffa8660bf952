/** Pasted text is text: its lines join the typed line, and none of its characters is a key command. */
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** A minute of silence standing in for a microphone: the line is closed until Enter opens it. */
function silenceWav(): string {
  const path = join(tempDir(), 'silence.wav');
  execFileSync('sox', ['-n', '-r', '24000', '-c', '1', '-b', '16', path, 'trim', '0', '60']);
  return path;
}

test('pasting several lines into the typed line keeps them in it as one message; a "q" in them does not quit', async () => {
  const tmux = kaiwaInTmux(`--local --input ${silenceWav()} --no-speaker`, 80);
  try {
    await tmux.waitFor(/● listening/);
    tmux.sendKeys('Enter');
    await tmux.waitFor(/› ▏/);
    tmux.paste('hello there\nand quit now');
    let screen = await tmux.waitFor(/› hello there and quit now▏/);
    assert.doesNotMatch(screen, /you: hello there/, 'a pasted newline does not send the line');
    tmux.sendKeys('Enter');
    screen = await tmux.waitFor(/assistant: You said: hello there and quit now/);
    assert.doesNotMatch(screen, /\[exit/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});

test('text pasted while the line is closed opens it: "q", Space and "y" in it are not commands', async () => {
  const tmux = kaiwaInTmux(`--local --input ${silenceWav()} --no-speaker`, 80);
  try {
    await tmux.waitFor(/● listening/);
    tmux.paste('q y ?');
    const screen = await tmux.waitFor(/› q y \?▏/);
    assert.doesNotMatch(screen, /muted|\[exit/);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
