/**
 * `kaiwa replay DIR` stopped before the recording's end: by the program reading its output
 * going away (`kaiwa replay DIR | head -1`) or by a signal. Its SoX player is stopped with it,
 * and it ends in at most one line, exit 0, never with an EPIPE or a stack trace.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { assertNoStackTrace, runKaiwa, untilOutput } from '../helpers/cli-runner.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { fakeSox, isAlive, pidsOf, waitFor } from '../helpers/audio-fake-sox.js';
import { recordSyntheticSession } from '../recording/synthetic-session.js';

describe('kaiwa replay stopped early', () => {
  const root = audioTempDir('kaiwa-replay-stop-');
  const dir = join(root, 'rec');

  before(async () => {
    await recordSyntheticSession(dir);
  });

  /** A SoX that plays for a minute, as a real one would play a long recording. */
  function playingSox(name: string): string {
    return fakeSox(root, name, 'exec sleep 60');
  }

  it('a reader that closes its output after the first line (| head -1) stops the player: one line at most, exit 0', async () => {
    const sox = playingSox('sox-head');
    const result = await runKaiwa(['replay', dir, '--speed', '0.5'], {
      env: { KAIWA_SOX: sox },
      onSpawn: (child) => child.stdout.once('data', () => child.stdout.destroy()),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /EPIPE|unexpected error/);
    assertNoStackTrace(result.stderr);
    assert.ok(result.stderr.trim().split('\n').filter(Boolean).length <= 1, `at most one line:\n${result.stderr}`);
    assert.equal(pidsOf(sox).length, 1, 'SoX was started');
    await waitFor(() => pidsOf(sox).every((pid) => !isAlive(pid)), 5000, 'the SoX player to be gone');
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`${signal} stops the player with the replay, exit 0`, async () => {
      const sox = playingSox(`sox-${signal}`);
      const result = await runKaiwa(['replay', dir, '--speed', '0.5'], {
        env: { KAIWA_SOX: sox },
        onSpawn: (child, output) => {
          void untilOutput(child, output, 'stdout', (text) => text.includes('Replaying'), { what: 'the replay to start' })
            .then(() => waitFor(() => pidsOf(sox).length > 0, 5000, 'SoX to start'))
            .then(() => child.kill(signal));
        },
      });
      assert.equal(result.code, 0, `${result.signal ?? ''} ${result.stderr}`);
      assertNoStackTrace(result.stderr);
      await waitFor(() => pidsOf(sox).every((pid) => !isAlive(pid)), 5000, 'the SoX player to be gone');
    });
  }
});
