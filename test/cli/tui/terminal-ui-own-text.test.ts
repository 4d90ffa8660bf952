/**
 * The interactive screen's own symbols (the prompt, its cursor, the status bar) follow the
 * process's one choice of charset (src/own-text.ts), the one the CLI makes from the locale
 * and kaiwa's log lines follow too: the screen does not read the locale itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AS_WRITTEN, useOwnText, type OwnText } from '../../../src/own-text.js';
import { IN_ASCII } from '../../../src/cli/own-symbols.js';
import { fakeTerminal } from '../../helpers/fake-terminal.js';
import { waitFor } from '../../helpers/wait-for.js';

/** What the terminal UI draws once connected, with `ownText` chosen for the process. */
async function connectedFrame(ownText: OwnText): Promise<string> {
  useOwnText(ownText);
  const { ui, written } = fakeTerminal();
  try {
    ui.dispatch({ type: 'connected' });
    return await waitFor(() => written().includes('type to talk') && written(), { what: 'the status bar once connected' });
  } finally {
    ui.close();
    useOwnText(AS_WRITTEN);
  }
}

test('with ASCII chosen, the prompt, its cursor and the status bar are drawn in ASCII', async () => {
  const frame = await connectedFrame(IN_ASCII);
  assert.match(frame, />(\u001b\[[\d;]*m)? _/, 'the prompt and its cursor');
  assert.match(frame, /> no microphone \| type to talk/);
  assert.doesNotMatch(frame, /[^\x00-\x7f]/, frame);
});

test('with the symbols as written chosen, they are drawn as written, whatever the locale says', async () => {
  const frame = await connectedFrame(AS_WRITTEN);
  assert.match(frame, /›(\u001b\[[\d;]*m)? ▏/);
  assert.match(frame, /✎ no microphone · type to talk/);
});
