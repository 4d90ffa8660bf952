/**
 * PulseAudio's canceller module must not outlive a kaiwa killed with SIGKILL, however early:
 * the watchdog is there before the module is loaded, and finds it by kaiwa's name for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEchoCancellerWatchdog } from '../../src/audio/echo-canceller.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

/** A `pactl` that lists one canceller module (index 7) named for `pid`, and logs every call. */
function fakePactl(dir: string, pid: number): string {
  const log = join(dir, 'calls.log');
  const script = `#!/bin/sh
echo "$*" >> '${log}'
if [ "$1 $2 $3" = "list short modules" ]; then
  printf '0\\tmodule-null-sink\\tsink_name=spk\\t\\n7\\tmodule-echo-cancel\\taec_method=webrtc source_name=kaiwa_ec_${pid}_src sink_name=kaiwa_ec_${pid}_sink\\t\\n'
fi
`;
  writeFileSync(join(dir, 'pactl'), script);
  chmodSync(join(dir, 'pactl'), 0o755);
  return log;
}

test('a process killed with SIGKILL right after the canceller loaded: the watchdog, started before, unloads the module by its name', async () => {
  const dir = tempDir();
  const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
  const log = fakePactl(dir, owner.pid!);
  const watchdog = startEchoCancellerWatchdog(owner.pid!, { ...process.env, PATH: `${dir}:${process.env['PATH']}` });
  try {
    owner.kill('SIGKILL');
    await waitFor(() => existsSync(log) && /unload-module 7/.test(readFileSync(log, 'utf8')), { what: 'the module to be unloaded', timeoutMs: 10_000 });
  } finally {
    watchdog.stop();
    owner.kill('SIGKILL');
  }
});

test('stopped (kaiwa unloaded the module itself), the watchdog unloads nothing', async () => {
  const dir = tempDir();
  const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
  const log = fakePactl(dir, owner.pid!);
  const watchdog = startEchoCancellerWatchdog(owner.pid!, { ...process.env, PATH: `${dir}:${process.env['PATH']}` });
  watchdog.stop();
  await waitFor(() => watchdog.exited, { what: 'the watchdog to end', timeoutMs: 5000 });
  owner.kill('SIGKILL');
  const exited = new Promise((resolve) => owner.once('exit', resolve));
  await exited;
  assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '');
});
