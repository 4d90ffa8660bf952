import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { runReplay } from '../../src/cli/replay-command.js';
import { UsageError } from '../../src/errors.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { SourceCapture, startPulse, type PulseServer } from '../helpers/audio-pulse.js';
import { toneAmplitude } from '../helpers/audio-signals.js';
import { recordSyntheticSession } from '../recording/synthetic-session.js';
import { runKaiwa } from '../helpers/cli-runner.js';

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

  it('--json writes what a terminal could obey (a C1 CSI kept in a recorded transcript) as JSON escapes: the same events', async () => {
    const hostile = join(root, 'hostile');
    cpSync(dir, hostile, { recursive: true });
    const line = JSON.stringify({ t: 3600, dir: 'server', event: { type: 'response.output_audio_transcript.delta', event_id: 'e', response_id: 'r', item_id: 'i', output_index: 0, content_index: 0, delta: 'A\u009b2JB\u202eC' } });
    appendFileSync(join(hostile, 'events.jsonl'), `${line}\n`);
    const out = io();
    await runReplay(hostile, { speed: 1000, audio: false, json: true }, out);
    const last = out.stdout.text.trimEnd().split('\n').at(-1)!;
    assert.doesNotMatch(last, /[\u009b\u202e]/);
    assert.deepEqual(JSON.parse(last), JSON.parse(line));
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

  it('takes --no-speaker, as kaiwa itself names it, for --no-audio: the transcript alone, no SoX tried', async () => {
    const result = await runKaiwa(['replay', dir, '--no-speaker', '--speed', '50'], { env: { PATH: '/nonexistent' } });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\[00:00\.2\] You: What is the weather in Paris\?/);
    assert.equal(result.stderr, '', 'no SoX was looked for (there is none on this PATH)');
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

describe('kaiwa replay with sound (private PulseAudio server)', () => {
  const dir = join(audioTempDir('kaiwa-replay-'), 'rec');
  let pulse: PulseServer;

  before(async () => {
    pulse = await startPulse();
    await recordSyntheticSession(dir);
  });
  after(async () => {
    await pulse?.stop();
  });

  /** Onset (ms into the capture) of the first 20 ms window that carries the tone. */
  function onsetOf(samples: Int16Array, frequency: number, rate: number): number {
    const window = rate / 50;
    for (let start = 0; start + window <= samples.length; start += window) {
      if (toneAmplitude(samples.subarray(start, start + window), frequency, rate) > 1000) return (start / rate) * 1000;
    }
    return -1;
  }

  it('plays conversation.wav through SoX, the user before the assistant, and waits for it to end', async () => {
    const rate = 24000;
    const capture = new SourceCapture('spk.monitor', rate);
    await capture.ready();
    const out = io();
    const started = performance.now();
    await runReplay(dir, { speed: 2, audio: true, json: false }, out);
    const tookMs = performance.now() - started;
    const heard = await capture.stop();
    assert.equal(out.stderr.text, '');
    // 3.5 s at 2× is 1.75 s of sound, and replay returns only when it is over.
    assert.ok(tookMs >= 1600, `returned after ${tookMs} ms`);
    const user = onsetOf(heard, 440, rate);
    const assistant = onsetOf(heard, 880, rate);
    assert.ok(user >= 0, 'the user (440 Hz) is heard');
    assert.ok(assistant >= 0, 'the assistant (880 Hz) is heard');
    // At 2× the answer (1.5 s in the recording) comes 0.75 s after the user (0 s).
    assert.ok(Math.abs(assistant - user - 750) < 150, `assistant ${assistant - user} ms after the user`);
  });
});
