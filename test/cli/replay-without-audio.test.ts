/**
 * `kaiwa replay` of what holds nothing to hear or names nothing: a recording made in text
 * alone plays no (silent) conversation.wav, so no SoX is started for it; an empty directory
 * name is refused in one line that says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ClientEvent, ServerEvent } from '../../src/protocol/events.js';
import { SessionRecorder } from '../../src/recording/session-recorder.js';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { fakeSox, pidsOf } from '../helpers/audio-fake-sox.js';
import { FakeClock } from '../recording/recording-helpers.js';

const root = audioTempDir('kaiwa-replay-text-');

/** A typed question answered in text: not one chunk of audio either way. */
async function recordTextSession(dir: string): Promise<void> {
  const clock = new FakeClock();
  clock.at(0);
  const recorder = new SessionRecorder(dir, { sampleRate: 24000, model: 'gpt-realtime', secrets: [], now: clock.now });
  recorder.clientEvent({ type: 'conversation.item.create', event_id: 'evt_1', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } } as ClientEvent);
  clock.at(200);
  const at = { response_id: 'resp_1', item_id: 'item_a1', output_index: 0, content_index: 0 };
  recorder.serverEvent({ type: 'response.output_item.added', event_id: 'e1', response_id: 'resp_1', output_index: 0, item: { id: 'item_a1', type: 'message', role: 'assistant', content: [] } } as unknown as ServerEvent);
  recorder.serverEvent({ type: 'response.output_text.delta', event_id: 'e2', ...at, delta: 'Hello.' } as unknown as ServerEvent);
  recorder.serverEvent({ type: 'response.output_text.done', event_id: 'e3', ...at, text: 'Hello.' } as unknown as ServerEvent);
  clock.at(400);
  await recorder.close();
}

test('kaiwa replay of a recording with no audio in it (typed lines, text answers) prints the transcript and starts no SoX for a silent conversation.wav', async () => {
  const dir = join(root, 'text-only');
  await recordTextSession(dir);
  const sox = fakeSox(root, 'sox-never', 'exit 0');
  const result = await runKaiwa(['replay', dir], { env: { KAIWA_SOX: sox } });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /Assistant: Hello\.$/m);
  assert.equal(result.stderr, '');
  assert.deepEqual(pidsOf(sox), [], 'SoX was not started');
});

test('kaiwa replay "" (an empty directory name): one line saying so, exit 2', async () => {
  const result = await runKaiwa(['replay', '']);
  assert.equal(result.code, 2, result.stderr);
  assertNoStackTrace(result.stderr);
  assert.deepEqual(result.stderr.trim().split('\n'), ['kaiwa: no recording given (the directory name is empty); pass the directory that was given to --record']);
  assert.equal(result.stdout, '');
});
