/** With a microphone, a sentence typed straight away is a message, not a string of key commands. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fakeTerminal, type HandlerCalls } from '../../helpers/fake-terminal.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Waits until the UI has asked for `count` things (keys are read as the stream hands them on). */
const asked = (calls: HandlerCalls, count: number): Promise<unknown> => waitFor(() => calls.length >= count, { what: `${count} handler calls (so far: ${calls.join(', ')})`, timeoutMs: 5000 });

test('a letter opens the typed line with it: spaces in the sentence are text (no mute), a later q is text (no quit), Enter sends', async () => {
  const { ui, keyboard, calls } = fakeTerminal({ microphone: true });
  try {
    keyboard.write('hello world, quite nice');
    keyboard.write('\r');
    await asked(calls, 1);
    assert.deepEqual(calls, ['send hello world, quite nice']);
  } finally {
    ui.close();
  }
});

test('with a microphone the one-key commands stay: Space mutes, ? helps, q quits; y and n type when no tool asks', async () => {
  const { ui, keyboard, calls, written } = fakeTerminal({ microphone: true });
  try {
    keyboard.write(' ');
    keyboard.write('?');
    await waitFor(() => /Space: mute/.test(written()), { what: 'the help', timeoutMs: 5000 });
    keyboard.write('yes please\r');
    keyboard.write('q');
    await asked(calls, 3);
    assert.deepEqual(calls, ['mute', 'send yes please', 'quit']);
  } finally {
    ui.close();
  }
});

test('y answers a tool\'s question when one is asked, and types nothing', async () => {
  const { ui, keyboard, calls } = fakeTerminal({ microphone: true });
  try {
    const answer = ui.ask('run time? [y/n]', new AbortController().signal);
    keyboard.write('y');
    assert.equal(await answer, true);
    keyboard.write('\rok\r');
    await asked(calls, 1);
    assert.deepEqual(calls, ['send ok'], 'the y opened no line: Enter opened an empty one, and only what was typed after it was sent');
  } finally {
    ui.close();
  }
});
