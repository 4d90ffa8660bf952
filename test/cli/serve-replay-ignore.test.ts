/**
 * `kaiwa serve --replay DIR --replay-ignore PATHS`: fields of the client's events that change
 * from run to run (a tool's output holding the time, a date in the instructions) are not
 * compared, so a cassette of such an app can hold it in CI. Without the flag such a run strays
 * from the cassette; with it, all steps are as recorded and the connection's line names what
 * differed and was ignored. A malformed path, or the flag without --replay, is refused before
 * listening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { assertRefusedInOneLine, runKaiwa, untilOutput, type KaiwaResult } from '../helpers/cli-runner.js';
import { serve } from '../helpers/serve-run.js';
import { TestClient } from '../helpers/server-client.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const TIME_TOOL = {
  type: 'function', name: 'time', description: 'The current time',
  parameters: { type: 'object', properties: { timezone: { type: 'string' } } },
};

/** What kaiwa's `time` tool answers: the same zone on every run, another time. */
function timeOutput(timezone: string, iso: string): string {
  return JSON.stringify({ timezone, iso, time: iso.slice(11, 19), utc_offset: '+09:00' });
}

const ASK = 'Please call time with timezone Asia/Tokyo';

/** A turn that calls the time tool and answers with `output`; the same client events on the recording and on the replay but for it (and `ask`). */
async function toolTurn(url: string, output: string, ask = ASK): Promise<void> {
  const client = await TestClient.connect(url);
  await client.next('session.created');
  client.send({ type: 'session.update', session: { type: 'realtime', instructions: 'Answer briefly.', output_modalities: ['text'], tools: [TIME_TOOL] } });
  client.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: ask }] } });
  client.send({ type: 'response.create' });
  const call = await client.next('response.function_call_arguments.done');
  await client.next('response.done');
  client.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output } });
  client.send({ type: 'response.create' });
  await client.next('response.done');
  client.close();
}

/** A cassette of one session whose tool output says 03:25:19 in Tokyo. */
async function recordedAt0325(): Promise<string> {
  const dir = join(tempDir(), 'cas');
  const recording = await serve({ record: dir });
  await toolTurn(recording.server.url, timeOutput('Asia/Tokyo', '2026-12-03T03:25:19+09:00'));
  assert.equal(await recording.stop(), 0);
  return join(dir, 'session-1');
}

/** The built `kaiwa serve --replay DIR --fail-on-mistakes ARGS`, one tool turn answered `output` against it, then SIGTERM. */
function replayRun(dir: string, args: string[], output: string, ask = ASK): Promise<KaiwaResult> {
  return runKaiwa(['serve', '--port', '0', '--replay', dir, '--fail-on-mistakes', ...args], {
    keepStdinOpen: true,
    onSpawn: (child, io) => {
      void (async () => {
        await untilOutput(child, io, 'stdout', (text) => /listening on \S+/.test(text), { what: 'the listening line' });
        await toolTurn(/listening on (\S+)/.exec(io.stdout())![1]!, output, ask);
        await untilOutput(child, io, 'stderr', (text) => /^replay: session /m.test(text), { what: 'the replay line' });
        child.kill('SIGTERM');
      })().catch(() => child.kill('SIGKILL'));
    },
  });
}

function replayLine(result: KaiwaResult): string {
  return result.stderr.split('\n').find((line) => line.startsWith('replay: session ')) ?? `(no replay line in:\n${result.stderr})`;
}

const LATER = timeOutput('Asia/Tokyo', '2026-12-03T03:25:21+09:00');

test('a tool output holding the time strays on replay; --replay-ignore item.output passes it, naming what it ignored', async () => {
  const dir = await recordedAt0325();
  const strict = await replayRun(dir, [], LATER);
  assert.equal(strict.code, 1, strict.stderr);
  assert.match(replayLine(strict), /first difference: step 4 conversation\.item\.create: item\.output: expected "\{.*03:25:19.*, got "\{.*03:25:21/);

  const ignoring = await replayRun(dir, ['--replay-ignore', 'item.output'], LATER);
  assert.equal(ignoring.code, 0, ignoring.stderr);
  assert.match(replayLine(ignoring), /^replay: session sess_\w+: all 5 steps as recorded; ignored differences: item\.output \(1 step\)$/);
  assert.match(ignoring.stderr, /^replay: 1 session, 0 strayed from the cassette$/m);
});

test('--replay-ignore scoped to an event type, comma-separated and repeated, passes the same run', async () => {
  const dir = await recordedAt0325();
  const result = await replayRun(dir, ['--replay-ignore', 'conversation.item.create:item.output,session.instructions', '--replay-ignore', 'item.content[*].text'], LATER);
  assert.equal(result.code, 0, result.stderr);
  assert.match(replayLine(result), /all 5 steps as recorded; ignored differences: item\.output \(1 step\)$/);
  // What a run leaves out is in its log even when nothing it ignored differed.
  assert.match(result.stdout, /^kaiwa serve listening on .*; not comparing conversation\.item\.create:item\.output, session\.instructions, item\.content\[\*\]\.text[;)]/m);
});

test('--replay-ignore into the JSON a tool output holds: the time is ignored, a different time zone still strays', async () => {
  const dir = await recordedAt0325();
  const args = ['--replay-ignore', 'item.output.iso,item.output.time'];
  const later = await replayRun(dir, args, LATER);
  assert.equal(later.code, 0, later.stderr);
  assert.match(replayLine(later), /all 5 steps as recorded; ignored differences: item\.output\.iso \(1 step\), item\.output\.time \(1 step\)$/);

  const elsewhere = await replayRun(dir, args, timeOutput('Europe/Paris', '2026-12-02T19:25:21+01:00'));
  assert.equal(elsewhere.code, 1, elsewhere.stderr);
  assert.match(replayLine(elsewhere), /first difference: step 4 conversation\.item\.create: item\.output\.timezone: expected "Asia\/Tokyo", got "Europe\/Paris"/);
});

test('ignored differences after the first real one are counted too: the line covers the whole session', async () => {
  const dir = await recordedAt0325();
  const result = await replayRun(dir, ['--replay-ignore', 'item.output'], LATER, 'Please call time with timezone Asia/Tokyo, now');
  assert.equal(result.code, 1, result.stderr);
  assert.match(replayLine(result), /; first difference: step 2 conversation\.item\.create: item\.content\[0\]\.text: .*; ignored differences: item\.output \(1 step\)$/);
});

test('--replay-ignore with a malformed path is refused in one line, exit 2, never listening', async () => {
  const dir = await recordedAt0325();
  for (const path of ['item..output', 'item.content[x].text', 'conversation.item.create:', '.item', 'item output']) {
    const result = await runKaiwa(['serve', '--port', '0', '--replay', dir, '--replay-ignore', path]);
    assertRefusedInOneLine(result, /--replay-ignore.*not a field path/);
  }
});

test('a --replay-ignore path that matches no field of the cassette\'s client events is refused in one line naming the closest one, exit 2, never listening', async () => {
  const dir = await recordedAt0325();
  const refusals: Array<[string, RegExp]> = [
    ['item.outptu', /^kaiwa: --replay-ignore: item\.outptu matches no field of the cassette's client events \(did you mean item\.output\?\)$/],
    ['item.output.isoo', /^kaiwa: --replay-ignore: item\.output\.isoo matches no field of the cassette's client events \(did you mean item\.output\.iso\?\)$/],
    ['item.output["utc-offset"]', /^kaiwa: --replay-ignore: item\.output\["utc-offset"\] matches no field of the cassette's client events \(did you mean item\.output\.utc_offset\?\)$/],
    ['response.create:item.output', /^kaiwa: --replay-ignore: response\.create:item\.output matches no field of the cassette's response\.create events \(conversation\.item\.create has it\)$/],
  ];
  for (const [path, line] of refusals) {
    assertRefusedInOneLine(await runKaiwa(['serve', '--port', '0', '--replay', dir, '--replay-ignore', `item.output,${path}`]), line);
  }
});

test('--replay-ignore without --replay is refused in one line, exit 2, never listening', async () => {
  assertRefusedInOneLine(await runKaiwa(['serve', '--port', '0', '--replay-ignore', 'item.output']), /^kaiwa: --replay-ignore needs --replay DIR/);
});
