/** The live region costs CPU only when what it shows changes: every mic chunk moves the level. */
import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { TerminalUi } from '../../../src/cli/tui/terminal-ui.js';
import { initialUi, reduceUi } from '../../../src/cli/tui/ui-state.js';

function fakeTerminal(): { stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream; writes: string[] } {
  const writes: string[] = [];
  const stdout = Object.assign(new PassThrough(), { columns: 100, rows: 30, isTTY: true });
  stdout.on('data', (chunk: Buffer) => writes.push(chunk.toString()));
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => stdin });
  return { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, writes };
}

const handlers = { toggleMute() {}, pushToTalk() {}, interrupt() {}, sendText() {}, quit() {} };

test('a frame is drawn only when it changed, at once when none was drawn for a frame, else once a frame later', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  t.after(() => mock.timers.reset());
  const terminal = fakeTerminal();
  const ui = new TerminalUi(terminal.stdout, terminal.stdin, handlers, { offline: false, pushToTalk: false, microphone: true });
  t.after(() => ui.close());
  ui.dispatch({ type: 'connected' });
  const drawn = (): number => terminal.writes.length;
  await new Promise((resolve) => setImmediate(resolve));
  mock.timers.tick(100);
  await new Promise((resolve) => setImmediate(resolve));
  const settled = drawn();

  // Levels that leave the meter as it is draw nothing, however many come.
  for (let i = 0; i < 10; i++) {
    ui.dispatch({ type: 'level', dbfs: -99 - i / 10 });
    mock.timers.tick(85);
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(drawn(), settled, 'no frame for a level the meter shows the same');

  // A louder level draws at once when the last frame is a frame old.
  mock.timers.tick(50);
  ui.dispatch({ type: 'level', dbfs: -6 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(drawn() > settled, `drawn at once: ${JSON.stringify(terminal.writes)}`);
  assert.match(terminal.writes.at(-1)!, /▮▮▮▮▮▮▮▮▮▯/);
  const afterLoud = drawn();

  // Another change within the frame waits for the frame's end, and then draws once.
  ui.dispatch({ type: 'level', dbfs: -30 });
  ui.dispatch({ type: 'level', dbfs: -24 });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(drawn(), afterLoud, 'not within the frame');
  mock.timers.tick(50);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(drawn(), afterLoud + 1, 'once at the frame\'s end');
  assert.match(terminal.writes.at(-1)!, /▮▮▮▮▮▮▯▯▯▯/);
});

test('a level the meter already shows leaves the state as it is; one that moves the meter changes it', () => {
  const state = reduceUi(initialUi({ offline: false, pushToTalk: false, microphone: true }), { type: 'level', dbfs: -30 });
  assert.equal(reduceUi(state, { type: 'level', dbfs: -29 }), state);
  assert.equal(reduceUi(state, { type: 'level', dbfs: -31 }), state);
  const louder = reduceUi(state, { type: 'level', dbfs: -20 });
  assert.notEqual(louder, state);
  assert.equal(louder.levelDbfs, -20);
});
