/**
 * A long answer in a terminal five rows high: while it streams, the live region shows only
 * its last rows (the region never grows past the screen), but once it is complete the whole
 * answer is in the scrollback, in order, once: the finished line is written whole above the
 * region, and the terminal wraps it into its scrollback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kaiwaInTmux } from '../../helpers/tmux.js';
import { waitFor } from '../../helpers/wait-for.js';
import { startScriptedServer, type WireJson } from '../../helpers/scripted-server.js';
import { gaSessionCreated, gaVoiceTurn } from '../../helpers/event-scripts.js';
import { answering } from '../../helpers/own-response.js';
import type { TmuxSession } from '../../helpers/tmux.js';

/** 60 numbered words, ~240 characters: 7 rows of 40 columns, more than the screen has. */
const WORDS = Array.from({ length: 60 }, (_, i) => `w${String(i + 1).padStart(2, '0')}`);

/** The pane's whole history once it holds `text`, failing with what it holds after the deadline. */
async function historyWith(tmux: TmuxSession, text: string): Promise<string> {
  let history = '';
  try {
    await waitFor(() => (history = tmux.captureHistory()).includes(text), { what: 'the text in the scrollback', timeoutMs: 15_000, everyMs: 50 });
  } catch {
    assert.fail(`not whole in the scrollback: ${text}\n${history}`);
  }
  return history;
}

test('in a terminal 5 rows high an answer streamed while only its last rows show ends up whole in the scrollback', async (t) => {
  // The answer's first 40 words, then (once the screen shows them cut to its last rows) the rest.
  const turn = gaVoiceTurn({ assistantTranscript: WORDS.join(' '), audioChunks: [] }) as Array<{ type: string; delta?: string }>;
  const cutAt = turn.findIndex((event) => event.delta?.startsWith('w41'));
  let rest: object[] = [];
  const server = await startScriptedServer({
    onConnection: (connection) => connection.send(gaSessionCreated()),
    onEvent: (connection, event: WireJson) => {
      if (event.type === 'session.update') connection.send({ ...(gaSessionCreated() as object), type: 'session.updated' });
      if (event.type !== 'response.create') return;
      const events = answering(event, turn);
      for (const first of events.slice(0, cutAt)) connection.send(first);
      rest = events.slice(cutAt);
    },
  });
  t.after(() => server.close());
  const tmux = kaiwaInTmux(`--url ${server.url} --no-mic --no-speaker`, 40, { OPENAI_API_KEY: 'sk-test' }, 5);
  try {
    await tmux.waitFor(/type to talk/);
    tmux.sendKeys('-l', 'go');
    tmux.sendKeys('Enter');
    const streaming = await tmux.waitFor(/w40/);
    assert.doesNotMatch(streaming, /assistant:/, `while it streams the answer's first rows are not on the screen:\n${streaming}`);
    for (const event of rest) server.connections[0]!.send(event);
    const answer = `assistant: ${WORDS.join(' ')}`;
    const history = await historyWith(tmux, answer);
    assert.equal(history.split(answer).length - 1, 1, `the answer is there once:\n${history}`);
    assert.equal(history.match(/w\d\d/g)?.length, 60, `each word once, no rows of a streamed frame left over:\n${history}`);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});

test('in a terminal 5 rows high a long typed line and its answer end up whole in the scrollback', async () => {
  const words = WORDS.join(' ');
  const tmux = kaiwaInTmux('--local --no-mic --no-speaker', 40, {}, 5);
  try {
    await tmux.waitFor(/type to talk/);
    tmux.paste(words);
    tmux.sendKeys('Enter');
    const answer = `assistant: You said: ${words}`;
    const history = await historyWith(tmux, answer);
    assert.equal(history.split(answer).length - 1, 1, `the answer is there once:\n${history}`);
    assert.ok(history.includes(`you: ${words}`), `the question is there whole too:\n${history}`);
    assert.equal(history.match(/w\d\d/g)?.length, 120, `each word twice (question, answer), no rows of a streamed frame left over:\n${history}`);
    tmux.sendKeys('C-c');
    await tmux.waitFor(/\[exit 0\]/);
  } finally {
    await tmux.kill();
  }
});
