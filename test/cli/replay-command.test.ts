import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { runReplay } from '../../src/cli/replay-command.js';
import { UsageError } from '../../src/errors.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { recordSyntheticSession } from '../recording/synthetic-session.js';

class Capture extends Writable {
  text = '';
  readonly times: number[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    this.times.push(performance.now());
    done();
  }
}

function io(): { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(), stderr: new Capture() };
}

describe('kaiwa replay', () => {
  const root = audioTempDir('kaiwa-replay-');
  const dir = join(root, 'rec');

  before(async () => {
    await recordSyntheticSession(dir);
  });

  it('prints the transcript in step with the recording at --speed 50 (--no-audio)', async () => {
    const out = io();
    const started = performance.now();
    assert.equal(await runReplay(dir, { speed: 50, audio: false, json: false }, out), 0);
    const lines = out.stdout.text.trimEnd().split('\n');
    assert.match(lines[0]!, /^Replaying .*rec: 00:03\.5, model gpt-realtime, at 50×$/);
    assert.deepEqual(lines.slice(1), [
      '[00:00.2] You: What is the weather in Paris?',
      '[00:01.5] Assistant: Hello! How can I help you today? (interrupted after 1.0 s)',
      '[00:02.6] Tokens: in 300 (text 100, audio 200, cached 0) · out 320 (text 20, audio 300) · $0.0263',
      '[00:03.0] Tool call: get_weather({"city":"Paris"})',
      '[00:03.1] Tool result (get_weather): {"temp_c":21,"token":"[redacted]"}',
      '[00:03.2] Error: Incorrect API key provided: [redacted] (bad_key)',
      'Cost: $0.0263 over 1 response',
    ]);
    // The error was said at 3.2 s: at 50× it is printed 64 ms in, the answer at 30 ms.
    const printedAt = (i: number) => out.stdout.times[i]! - started;
    assert.ok(printedAt(6) >= 60, `error line after ${printedAt(6)} ms`);
    assert.ok(printedAt(2) >= 28 && printedAt(2) < printedAt(6), `answer line after ${printedAt(2)} ms`);
    assert.equal(out.stderr.text, '');
  });

  it('--json prints events.jsonl as recorded', async () => {
    const out = io();
    await runReplay(dir, { speed: 1, audio: false, json: true }, out);
    assert.equal(out.stdout.text, readFileSync(join(dir, 'events.jsonl'), 'utf8'));
  });

  it('replays a recording whose last line was cut off by a crash', async () => {
    const torn = join(root, 'torn');
    cpSync(dir, torn, { recursive: true });
    appendFileSync(join(torn, 'events.jsonl'), '{"t":3600,"dir":"server","event":{"type":"resp');
    const out = io();
    await runReplay(torn, { speed: 1000, audio: false, json: true }, out);
    assert.equal(out.stdout.text, readFileSync(join(dir, 'events.jsonl'), 'utf8'));
    assert.match(out.stderr.text, /skipped 1 damaged line/);
  });

  it('says in one line that a directory is not a recording', async () => {
    const cases: Array<[string, RegExp]> = [
      [join(root, 'missing'), /^no recording at .*missing: no such file or directory$/],
      [root, /is not a kaiwa recording: it has no events\.jsonl$/],
    ];
    writeFileSync(join(root, 'a-file'), 'x');
    cases.push([join(root, 'a-file'), /a-file is a file; pass the directory that was given to --record$/]);
    for (const [path, message] of cases) {
      await assert.rejects(runReplay(path, { speed: 1, audio: false, json: false }, io()), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, message);
        assert.ok(!error.message.includes('\n'));
        return true;
      });
    }
  });

  it('rejects a speed that is not above 0', async () => {
    await assert.rejects(runReplay(dir, { speed: 0, audio: false, json: false }, io()), UsageError);
    await assert.rejects(runReplay(dir, { speed: Number.NaN, audio: false, json: false }, io()), UsageError);
  });

  it('still prints the transcript when SoX is missing, with one line saying so', async () => {
    const saved = process.env.KAIWA_SOX;
    process.env.KAIWA_SOX = join(root, 'no-such-sox');
    try {
      const out = io();
      await runReplay(dir, { speed: 4, audio: true, json: false }, out);
      assert.match(out.stderr.text, /^kaiwa: no audio: SoX is not installed.*--no-audio; showing the transcript only\n$/);
      assert.match(out.stdout.text, /Assistant: Hello!/);
    } finally {
      if (saved === undefined) delete process.env.KAIWA_SOX;
      else process.env.KAIWA_SOX = saved;
    }
  });

  it('does not try to play audio at speeds SoX cannot keep natural', async () => {
    const out = io();
    await runReplay(dir, { speed: 50, audio: true, json: false }, out);
    assert.match(out.stderr.text, /no audio: audio plays at speeds from 0\.5 to 4 only/);
  });
});
