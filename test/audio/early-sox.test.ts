/**
 * SoX started early (by the CLI's entry point, before the rest of kaiwa is loaded) and
 * taken over by the recorder or player that asks for the same command. Stand-in SoX
 * binaries (KAIWA_SOX) count the processes and say what each was given.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SOX_MISSING_MESSAGE, SoxPlayer, SoxRecorder } from '../../src/audio/sox.js';
import { discardEarlySox, earlySoxStarted, earlySoxWaiting, startEarlySox } from '../../src/audio/early-sox.js';
import { PLAYER_ENVIRONMENT_DEFAULTS, playerArgs, recorderCommand, soxEnvironment } from '../../src/audio/sox-command.js';
import { fakeSox, isAlive, pidsOf, waitFor } from '../helpers/audio-fake-sox.js';
import { audioTempDir } from '../helpers/audio-tmp.js';

const dir = audioTempDir('kaiwa-early-sox-');
const FORMAT = { sampleRate: 24000 };

/** As the CLI's entry point starts it (src/cli/early-devices.ts); resolves once it is spawned, as the entry point waits before it runs the program. */
function startEarlyRecorder(): Promise<void> {
  const { args, env } = recorderCommand(FORMAT.sampleRate);
  startEarlySox('recorder', args, env);
  return earlySoxStarted();
}

describe('early SoX', () => {
  let saved: string | undefined;
  beforeEach(() => { saved = process.env['KAIWA_SOX']; });
  afterEach(() => {
    discardEarlySox();
    if (saved === undefined) delete process.env['KAIWA_SOX'];
    else process.env['KAIWA_SOX'] = saved;
  });

  it('a recorder asking for the same command takes it over: one SoX, whose audio it delivers', async () => {
    const sox = fakeSox(dir, 'same', 'head -c 9600 /dev/zero; exec sleep 30');
    process.env['KAIWA_SOX'] = sox;
    await startEarlyRecorder();
    const recorder = new SoxRecorder(FORMAT);
    let bytes = 0;
    recorder.on('data', (pcm: Buffer) => { bytes += pcm.length; });
    recorder.start();
    assert.equal(await recorder.started(), undefined);
    await waitFor(() => bytes === 9600, 5000, 'the early SoX\'s audio');
    assert.equal(earlySoxWaiting(), 0);
    assert.ok(recorder.startedEarly);
    assert.equal(pidsOf(sox).length, 1, 'a second SoX was started');
    await recorder.stop();
    assert.ok(!isAlive(pidsOf(sox)[0]!), 'the early SoX outlived its recorder');
  });

  it('the recorder\'s SoX writes into a socket, and all it writes arrives in order, each chunk kept as it came', async () => {
    // Larger than one read (64 KiB): chunks handed on must not be views of a buffer the next read reuses.
    const pattern = randomBytes(300_000);
    writeFileSync(join(dir, 'pattern.raw'), pattern);
    const sox = fakeSox(dir, 'socket', `cat '${dir}/pattern.raw'; exec sleep 30`);
    process.env['KAIWA_SOX'] = sox;
    await startEarlyRecorder();
    const recorder = new SoxRecorder(FORMAT);
    const chunks: Buffer[] = [];
    recorder.on('data', (pcm: Buffer) => chunks.push(pcm));
    recorder.start();
    await waitFor(() => chunks.reduce((sum, chunk) => sum + chunk.length, 0) === pattern.length, 5000, 'all of the early SoX\'s output');
    assert.ok(recorder.startedEarly);
    assert.ok(recorder.readFromSocket, 'read as a stream, from a pipe');
    assert.ok(chunks.length > 1, 'it came in one chunk: nothing here tells copies from views');
    assert.ok(Buffer.concat(chunks).equals(pattern), 'the output arrived changed');
    await recorder.stop();
  });

  it('with no temporary folder for its socket, the recorder\'s SoX writes into a pipe as before', async () => {
    const sox = fakeSox(dir, 'piped', 'head -c 9600 /dev/zero; exec sleep 30');
    process.env['KAIWA_SOX'] = sox;
    // (The same environment for the recorder that takes it over: SoX's environment is compared whole.)
    const savedTmp = process.env['TMPDIR'];
    process.env['TMPDIR'] = join(dir, 'missing');
    const recorder = new SoxRecorder(FORMAT);
    try {
      await startEarlyRecorder();
      let bytes = 0;
      recorder.on('data', (pcm: Buffer) => { bytes += pcm.length; });
      recorder.start();
      await waitFor(() => bytes === 9600, 5000, 'the early SoX\'s audio');
      assert.ok(recorder.startedEarly);
      assert.ok(!recorder.readFromSocket);
    } finally {
      await recorder.stop();
      if (savedTmp === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = savedTmp;
    }
  });

  it('one discarded while its socket connects is never started', async () => {
    const sox = fakeSox(dir, 'discarded', 'exec sleep 30');
    process.env['KAIWA_SOX'] = sox;
    const started = startEarlyRecorder();
    discardEarlySox();
    await started;
    assert.equal(earlySoxWaiting(), 0);
    assert.deepEqual(pidsOf(sox), []);
  });

  it('a different command is not taken over; what nobody took is killed', async () => {
    const sox = fakeSox(dir, 'other', 'exec sleep 30');
    process.env['KAIWA_SOX'] = sox;
    await startEarlyRecorder();
    await waitFor(() => pidsOf(sox).length === 1, 5000, 'the early SoX');
    const recorder = new SoxRecorder(FORMAT, { pulseDevice: 'kaiwa_ec_src' });
    recorder.start();
    await waitFor(() => pidsOf(sox).length === 2, 5000, 'the recorder\'s own SoX');
    assert.ok(!recorder.startedEarly);
    assert.equal(earlySoxWaiting(), 1);
    discardEarlySox();
    await waitFor(() => !isAlive(pidsOf(sox)[0]!), 5000, 'the early SoX to be killed');
    assert.ok(isAlive(pidsOf(sox)[1]!), 'the recorder\'s SoX was killed too');
    await recorder.stop();
  });

  it('one that could not be started says so as a late one would: SoX is not installed', async () => {
    process.env['KAIWA_SOX'] = join(dir, 'nonexistent');
    await startEarlyRecorder();
    const recorder = new SoxRecorder(FORMAT);
    recorder.on('error', () => undefined);
    recorder.start();
    assert.equal((await recorder.started())?.message, SOX_MISSING_MESSAGE);
    await recorder.stop();
  });

  it('one that failed before it was taken over reports its failure', async () => {
    const sox = fakeSox(dir, 'fails', 'echo "sox FAIL sox: Sorry, there is no default audio device configured" >&2; exit 2');
    process.env['KAIWA_SOX'] = sox;
    await startEarlyRecorder();
    await waitFor(() => pidsOf(sox).length === 1 && !isAlive(pidsOf(sox)[0]!), 5000, 'the early SoX to fail');
    const recorder = new SoxRecorder(FORMAT);
    const error = new Promise<Error>((resolve) => recorder.once('error', resolve));
    recorder.start();
    assert.match((await error).message, /^no audio input device: Sorry, there is no default audio device configured/);
    assert.equal(pidsOf(sox).length, 1);
    await recorder.stop();
  });

  it('a player takes over its own, and what is written while held goes to the device it is routed to, not the first', async () => {
    // Each SoX keeps what it was given in a file named after where it plays (AUDIODEV).
    const sox = fakeSox(dir, 'player', `exec cat > '${dir}/played-'"\${AUDIODEV:-default}"`);
    process.env['KAIWA_SOX'] = sox;
    startEarlySox('player', playerArgs(FORMAT.sampleRate), soxEnvironment(PLAYER_ENVIRONMENT_DEFAULTS));
    const player = new SoxPlayer(FORMAT, { warm: true });
    assert.equal(await player.started(), undefined);
    await waitFor(() => pidsOf(sox).length === 1, 5000, 'the early SoX');
    let route!: () => void;
    player.holdUntil(new Promise<void>((resolve) => { route = resolve; }));
    player.write(Buffer.alloc(4800));
    player.routeTo('kaiwa_ec_sink', { restartIdle: true });
    route();
    await waitFor(() => pidsOf(sox).length === 2, 5000, 'a SoX on the canceller\'s sink');
    await player.close();
    assert.equal(pidsOf(sox).length, 2, 'the player started a SoX of its own besides the early one');
    const played = (device: string): number => readFileSync(join(dir, `played-${device}`)).length;
    assert.equal(played('default'), 0, 'audio reached the first device');
    assert.equal(played('kaiwa_ec_sink'), 4800);
  });
});
