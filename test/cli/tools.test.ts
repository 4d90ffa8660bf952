import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { KAIWA_BIN, ROOT, assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { TmuxSession } from '../helpers/tmux.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const offline = ['--local', '--no-mic', '--no-speaker'];
const weather = join(ROOT, 'examples', 'weather-tools.mjs');

test('--tools module: the model calls it and answers with the result (--once waits for that answer)', async () => {
  const result = await runKaiwa([...offline, '--tools', weather, '--text', 'call get_weather with city Paris', '--once']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^assistant: The get_weather tool returned: \{"city":"Paris"/m);
  assert.match(result.stderr, /^tool get_weather \{"city":"Paris"\}$/m);
  assert.match(result.stderr, /^tool get_weather → ok in \d+ ms/m);
});

test('a JSON shell tool needing approval is refused without a terminal, and the model is told', async () => {
  const dir = tempDir();
  const marker = join(dir, 'ran');
  const file = join(dir, 'touch.json');
  writeFileSync(file, JSON.stringify({ tools: [{ name: 'make_marker', description: 'touch a file', parameters: { type: 'object', properties: {} }, command: ['touch', marker] }] }));
  const refused = await runKaiwa([...offline, '--tools', file, '--text', 'call make_marker', '--once']);
  assert.equal(refused.code, 0, refused.stderr);
  assert.match(refused.stderr, /refused make_marker: it needs approval/);
  assert.match(refused.stdout, /The make_marker tool returned: .*refused/);
  assert.equal(existsSync(marker), false, 'the refused tool never ran');
  const approved = await runKaiwa([...offline, '--tools', file, '--text', 'call make_marker', '--once', '--yes']);
  assert.equal(approved.code, 0, approved.stderr);
  assert.ok(existsSync(marker), '--yes let it run');
});

test('a bad tools file is one line naming it, exit 2', async () => {
  const dir = tempDir();
  const file = join(dir, 'broken.mjs');
  writeFileSync(file, 'export default [{ name: "x y z", handler: 1 }]');
  const result = await runKaiwa([...offline, '--tools', file, '--text', 'hi', '--once']);
  assert.equal(result.code, 2);
  assertNoStackTrace(result.stderr);
  const errorLines = result.stderr.trim().split('\n').filter((line) => line.startsWith('kaiwa:'));
  assert.equal(errorLines.length, 1);
  assert.match(errorLines[0]!, /broken\.mjs/);
});

test('in the terminal, a tool asks first: n refuses, y runs', async () => {
  const dir = tempDir();
  const marker = join(dir, 'ran');
  const file = join(dir, 'touch.json');
  writeFileSync(file, JSON.stringify({ tools: [{ name: 'make_marker', description: 'touch a file', parameters: { type: 'object', properties: {} }, command: ['touch', marker] }] }));
  const tmux = new TmuxSession(`env -u OPENAI_API_KEY node ${KAIWA_BIN} --local --no-mic --no-speaker --tools ${file}; sleep 30`, { width: 120, height: 30 });
  try {
    await tmux.waitFor(/no microphone · type to talk/);
    tmux.sendKeys('-l', 'call make_marker');
    tmux.sendKeys('Enter');
    await tmux.waitFor(/run make_marker \{\}\? \[y\/n\]/);
    tmux.sendKeys('n');
    await tmux.waitFor(/make_marker → refused/);
    tmux.sendKeys('-l', 'call make_marker');
    tmux.sendKeys('Enter');
    await tmux.waitFor(/\[y\/n\] no[\s\S]*run make_marker \{\}\? \[y\/n\]\s*$/m);
    tmux.sendKeys('y');
    await tmux.waitFor(/make_marker → ok/);
    assert.ok(existsSync(marker));
  } finally {
    await tmux.kill();
  }
});

test('a tool that throws after it returned (its own callback): one line, the session ends cleanly with its summary, exit 1', async () => {
  const dir = tempDir();
  const file = join(dir, 'late-tools.mjs');
  writeFileSync(file, `export default [{ name: 'late', description: 'throws later', parameters: { type: 'object', properties: {} },
    handler: () => { setImmediate(() => { throw new Error('late throw'); }); return 'ok'; } }];`);
  const record = join(dir, 'record');
  const result = await runKaiwa([...offline, '--tools', file, '--record', record], { stdin: 'call late\n' });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^kaiwa: an error outside the conversation \(a tool's timer or promise\?\): late throw; ending the session$/m);
  assertNoStackTrace(result.stderr);
  assert.match(result.stderr, /^session ended: /m);
  assert.match(result.stderr, /^recording written to /m);
  assert.ok(existsSync(join(record, 'transcript.md')));
});
