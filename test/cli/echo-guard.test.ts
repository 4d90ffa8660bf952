import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseEchoGuard } from '../../src/cli/echo-guard.js';
import type { Logger } from '../../src/logger.js';

test('pulse: the canceller loads only when asked to; unloaded before that, it never loads and unload does not wait', async () => {
  const notes: string[] = [];
  const logger: Logger = { log: (_level, message) => notes.push(message) };
  let loadNow!: () => void;
  const guard = chooseEchoGuard('pulse', true, logger, new Promise<void>((resolve) => { loadNow = resolve; }));
  assert.equal(guard.mode, 'pulse');
  if (guard.mode !== 'pulse') return;
  await guard.unload();
  loadNow();
  assert.equal(await guard.loaded, undefined);
  assert.equal(guard.fellBack(), false);
  // A load (here: pactl, with no sound server to answer, or a module) would have said how it went.
  assert.deepEqual(notes, []);
});

test('pulse: a canceller that cannot load means half-duplex, said once it is known', async () => {
  const notes: string[] = [];
  const logger: Logger = { log: (level, message) => notes.push(`${level}: ${message}`) };
  const saved = process.env['PULSE_SERVER'];
  process.env['PULSE_SERVER'] = 'unix:/nonexistent/kaiwa-no-pulse';
  try {
    const guard = chooseEchoGuard('pulse', true, logger);
    if (guard.mode !== 'pulse') assert.fail(`mode ${guard.mode}`);
    assert.equal(guard.fellBack(), false);
    assert.equal(await guard.loaded, undefined);
    assert.equal(guard.fellBack(), true);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!, /^warn: echo cancellation unavailable \(.+\); using half-duplex instead$/);
    await guard.unload();
  } finally {
    if (saved === undefined) delete process.env['PULSE_SERVER'];
    else process.env['PULSE_SERVER'] = saved;
  }
});

test('auto is kaiwa\'s own canceller, with nothing to load; nothing at all without a live microphone and speaker', () => {
  const notes: string[] = [];
  const logger: Logger = { log: (_level, message) => notes.push(message) };
  assert.deepEqual(chooseEchoGuard('auto', true, logger), { mode: 'in-process' });
  assert.deepEqual(chooseEchoGuard('auto', false, logger), { mode: 'off' });
});
