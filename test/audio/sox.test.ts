import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AudioDeviceError, checkSox, SOX_MISSING_MESSAGE, SoxPlayer, SoxRecorder } from '../../src/audio/sox.js';
import { liveSoxPids, soxFailure, summarizeSoxStderr } from '../../src/audio/sox-process.js';
import { findStdbufLibrary } from '../../src/audio/sox-command.js';
import { fakeSox, isAlive, pidsOf, waitFor } from '../helpers/audio-fake-sox.js';
import { audioTempDir } from '../helpers/audio-tmp.js';
import { aptInstall } from '../../src/install-hint.js';

const dir = audioTempDir('kaiwa-sox-');

/** The command a process runs now (its /proc comm), or undefined once it is gone. */
function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
const FORMAT = { sampleRate: 24000 };
/** What SoX 14.4.2 at -V3 prints about its input, then (once the device is open) its output. */
const V3_INPUT = "sox:      SoX v14.4.2\n\nInput File     : '-' (raw)\nChannels       : 1\nSample Rate    : 24000\nPrecision      : 16-bit\nSample Encoding: 16-bit Signed Integer PCM\nEndian Type    : little\nReverse Nibbles: no\nReverse Bits   : no\n\n";
const V3_OUTPUT = "\nOutput File    : 'default' (pulseaudio)\nChannels       : 1\nSample Rate    : 24000\nPrecision      : 32-bit\nSample Encoding: 32-bit Signed Integer PCM\nEndian Type    : little\nReverse Nibbles: no\nReverse Bits   : no\n\n";
/** coreutils' libstdbuf where this system has it. */
const LIBSTDBUF = findStdbufLibrary();

/** Sets environment variables for one test and puts the old values back afterwards. */
function useEnv(values: Record<string, string | undefined>): void {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const [name, value] of Object.entries(values)) {
      saved[name] = process.env[name];
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
}

function nextError(emitter: SoxRecorder | SoxPlayer, timeoutMs = 5000): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no error event')), timeoutMs);
    emitter.once('error', (error: Error) => {
      clearTimeout(timer);
      resolve(error);
    });
  });
}

function assertOneLine(error: Error, pattern: RegExp): void {
  assert.ok(error instanceof AudioDeviceError, `expected AudioDeviceError, got ${error.name}: ${error.message}`);
  assert.doesNotMatch(error.message, /\n/);
  assert.match(error.message, pattern);
}

describe('checkSox', () => {
  it('resolves with the version of the installed SoX', async () => {
    assert.match(await checkSox(), /SoX v\d+\.\d+/);
  });

  describe('with KAIWA_SOX=/nonexistent', () => {
    useEnv({ KAIWA_SOX: '/nonexistent' });
    it('throws the one-line "SoX is not installed" error with install hints', async () => {
      await assert.rejects(checkSox(), (error: unknown) => {
        assert.ok(error instanceof AudioDeviceError);
        assert.equal(error.message, `SoX is not installed: install it with \`${aptInstall('sox libsox-fmt-pulse')}\` (or \`brew install sox\`), or use --modalities text / --input FILE.wav`);
        return true;
      });
    });

    it('makes the recorder emit the same error instead of crashing', async () => {
      const recorder = new SoxRecorder(FORMAT);
      const error = nextError(recorder);
      recorder.start();
      assert.equal((await error).message, SOX_MISSING_MESSAGE);
      await recorder.stop();
    });

    it('tells it through started(), the recorder\'s and the player\'s (the player then emits no error)', async () => {
      const recorder = new SoxRecorder(FORMAT);
      recorder.on('error', () => undefined);
      recorder.start();
      assert.equal((await recorder.started())?.message, SOX_MISSING_MESSAGE);
      await recorder.stop();
      const player = new SoxPlayer(FORMAT, { warm: true });
      let errors = 0;
      player.on('error', () => errors++);
      assert.equal((await player.started())?.message, SOX_MISSING_MESSAGE);
      await player.close();
      assert.equal(errors, 0);
    });

    it('makes the player emit it once, then drop writes quietly', async () => {
      const player = new SoxPlayer(FORMAT);
      let errors = 0;
      player.on('error', () => errors++);
      const error = nextError(player);
      player.write(Buffer.alloc(960));
      assert.equal((await error).message, SOX_MISSING_MESSAGE);
      player.write(Buffer.alloc(960));
      await player.close();
      assert.equal(errors, 1);
    });
  });

  it('says SoX cannot be run when the binary is not executable', async () => {
    const path = join(dir, 'not-executable');
    writeFileSync(path, '#!/bin/sh\n', { mode: 0o644 });
    process.env['KAIWA_SOX'] = path;
    try {
      await assert.rejects(checkSox(), { message: `cannot run SoX (${path}): permission denied` });
    } finally {
      delete process.env['KAIWA_SOX'];
    }
  });
});

describe('SoX with no sound card', () => {
  // This machine has none; the overrides make any machine look the same: a PulseAudio
  // socket nobody listens on, and an ALSA configuration without a "default" device.
  const emptyAlsaConfig = join(dir, 'empty-alsa.conf');
  writeFileSync(emptyAlsaConfig, '');
  useEnv({ PULSE_SERVER: `unix:${join(dir, 'no-pulse-here')}`, ALSA_CONFIG_PATH: emptyAlsaConfig, AUDIODRIVER: undefined, KAIWA_SOX: undefined });

  it('recorder reports "no audio input device" in one line (SoX: "no default audio device configured")', async () => {
    const recorder = new SoxRecorder(FORMAT);
    const error = nextError(recorder);
    recorder.start();
    assertOneLine(await error, /^no audio input device: Sorry, there is no default audio device configured; use --input FILE\.wav or --modalities text$/);
    await recorder.stop();
  });

  it('player reports "no audio output device" in one line (SoX crashes with SIGFPE after ALSA fails)', async () => {
    const player = new SoxPlayer(FORMAT);
    const error = nextError(player);
    player.write(Buffer.alloc(4800));
    assertOneLine(await error, /^no audio output device: .+; use --no-speaker \(and --output FILE\.wav to keep the audio\) or --modalities text$/);
    await player.close();
  });

  describe('with AUDIODRIVER=pulseaudio', () => {
    useEnv({ AUDIODRIVER: 'pulseaudio' });
    it('recorder reports that the PulseAudio connection was refused', async () => {
      const recorder = new SoxRecorder(FORMAT);
      const error = nextError(recorder);
      recorder.start();
      assertOneLine(await error, /^no audio input device: can't open input `default': can not open audio device: Connection refused; use --input/);
      await recorder.stop();
    });
  });
});

describe('summarizing what SoX printed', () => {
  it('prefers SoX\'s FAIL line over ALSA noise', () => {
    const stderr = 'ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default\nsox FAIL sox: Sorry, there is no default audio device configured\n';
    assert.equal(summarizeSoxStderr(stderr, null), 'Sorry, there is no default audio device configured');
  });

  it('falls back to ALSA and the crash signal when SoX died silently', () => {
    const stderr = "ALSA lib confmisc.c:855:(parse_card) cannot find card '0'\nALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default\n";
    assert.equal(summarizeSoxStderr(stderr, 'SIGFPE'), 'ALSA found no sound card (SoX crashed)');
    assert.equal(summarizeSoxStderr('ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM default\n', null), 'ALSA: Unknown PCM default');
  });

  it('what the player\'s SoX says at -V3 about itself and its files is never the reason it stopped', () => {
    const described = `${V3_INPUT}${V3_OUTPUT}sox INFO sox: effects chain: input        24000Hz  1 channels\nsox INFO sox: effects chain: output       24000Hz  1 channels\n`;
    assert.equal(soxFailure({ code: null, signal: 'SIGSEGV', stderr: described }, 'output').message,
      'audio output stopped: SoX crashed; use --no-speaker (and --output FILE.wav to keep the audio) or --modalities text');
    assert.equal(summarizeSoxStderr(`${described}sox FAIL sox: Sorry, there is no default audio device configured\n`, null), 'Sorry, there is no default audio device configured');
    assert.equal(summarizeSoxStderr(`${V3_INPUT}sox WARN alsa: under-run\n${V3_INPUT.replace('Input', 'Output')}`, null), 'sox WARN alsa: under-run');
  });
});

describe('SoX process handling (with stand-in sox scripts)', () => {
  useEnv({ KAIWA_LIBSTDBUF: process.env['KAIWA_LIBSTDBUF'], LD_PRELOAD: process.env['LD_PRELOAD'] });
  afterEach(() => {
    delete process.env['KAIWA_SOX'];
  });

  it('recorder hands on whole samples even when the pipe splits them, then emits end', async () => {
    // 5 bytes, then 3: sample boundaries fall inside both writes.
    process.env['KAIWA_SOX'] = fakeSox(dir, 'odd-writes', "printf '\\001\\000\\002'; sleep 0.05; printf '\\000\\003\\000\\004\\000'");
    const recorder = new SoxRecorder(FORMAT);
    const chunks: Buffer[] = [];
    recorder.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve) => recorder.once('end', resolve));
    recorder.start();
    await ended;
    for (const chunk of chunks) assert.equal(chunk.length % 2, 0);
    assert.deepEqual(Buffer.concat(chunks), Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]));
  });

  it('recorder reports an unexpected SoX failure with SoX\'s own words', async () => {
    process.env['KAIWA_SOX'] = fakeSox(dir, 'fails', "echo 'sox FAIL formats: something odd happened' >&2; exit 2");
    const recorder = new SoxRecorder(FORMAT);
    const error = nextError(recorder);
    recorder.start();
    assertOneLine(await error, /^audio input stopped: something odd happened; use --input FILE\.wav or --modalities text$/);
  });

  it('recorder passes the article\'s command line with the format\'s rate and 20 ms blocks', async () => {
    process.env['KAIWA_LIBSTDBUF'] = ''; // no libstdbuf: SoX's stdout stays buffered, as the article has it
    const argsFile = join(dir, 'args.txt');
    process.env['KAIWA_SOX'] = fakeSox(dir, 'args', `echo "$@" > '${argsFile}'`);
    const recorder = new SoxRecorder({ sampleRate: 8000 });
    const ended = new Promise((resolve) => recorder.once('end', resolve));
    recorder.start();
    await ended;
    assert.equal(readFileSync(argsFile, 'utf8').trim(), '--buffer 320 --default-device --no-show-progress --rate 8000 --channels 1 --encoding signed-integer --bits 16 --type raw -');
  });

  it('recorder with libstdbuf: SoX\'s stdout unbuffered (preloaded after the user\'s own), in 4096-byte blocks', { skip: LIBSTDBUF === undefined && 'coreutils\' libstdbuf is not installed here' }, async () => {
    process.env['KAIWA_LIBSTDBUF'] = LIBSTDBUF;
    process.env['LD_PRELOAD'] = LIBSTDBUF; // the user's own preload, here one that loads anywhere
    const seenFile = join(dir, 'unbuffered.txt');
    process.env['KAIWA_SOX'] = fakeSox(dir, 'unbuffered', `echo "$LD_PRELOAD|$_STDBUF_O|$@" > '${seenFile}'`);
    const recorder = new SoxRecorder({ sampleRate: 24000 });
    const ended = new Promise((resolve) => recorder.once('end', resolve));
    recorder.start();
    await ended;
    assert.equal(readFileSync(seenFile, 'utf8').trim(), `${LIBSTDBUF}:${LIBSTDBUF}|0|--buffer 4096 --default-device --no-show-progress --rate 24000 --channels 1 --encoding signed-integer --bits 16 --type raw -`);
  });

  it('a player is open once its SoX says its device is (-V3\'s Output File block), not when SoX starts; untilOpen() starts SoX', async () => {
    const gate = join(dir, 'open-now');
    rmSync(gate, { force: true });
    // Describes its input and warns (the test's sign that stderr is read), then opens the device once told to.
    const stub = fakeSox(dir, 'opens-late', `printf '%s' ${JSON.stringify(`${V3_INPUT}sox WARN alsa: under-run
`)} >&2
while [ ! -e '${gate}' ]; do sleep 0.01; done
printf '%s' ${JSON.stringify(V3_OUTPUT)} >&2
exec cat > /dev/null`);
    process.env['KAIWA_SOX'] = stub;
    const player = new SoxPlayer(FORMAT);
    const stderrRead = new Promise((resolve) => player.once('underrun', resolve));
    const opening = player.untilOpen();
    assert.ok(opening, 'a player without SoX is open');
    let opened = false;
    void opening.then(() => { opened = true; });
    await stderrRead;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(opened, false, 'open before SoX said its device was');
    assert.equal(player.untilOpen(), opening, 'a second SoX, or another wait');
    writeFileSync(gate, '');
    await opening;
    assert.equal(player.untilOpen(), undefined);
    assert.equal(pidsOf(stub).length, 1);
    await player.close();
    rmSync(gate, { force: true });
    assert.deepEqual(liveSoxPids(), []);
  });

  it('a SoX that never says its device is open is taken as open after openTimeoutMs; one that dies first ends the wait', async () => {
    process.env['KAIWA_SOX'] = fakeSox(dir, 'says-nothing', 'exec cat > /dev/null');
    const silent = new SoxPlayer(FORMAT, { openTimeoutMs: 50 });
    await silent.untilOpen();
    assert.equal(silent.untilOpen(), undefined);
    await silent.close();
    process.env['KAIWA_SOX'] = fakeSox(dir, 'no-device', 'echo "sox FAIL sox: Sorry, there is no default audio device configured" >&2; exit 2');
    const failing = new SoxPlayer(FORMAT, { openTimeoutMs: 60_000 });
    const error = nextError(failing);
    await failing.untilOpen();
    assertOneLine(await error, /^no audio output device: Sorry, there is no default audio device configured; use --no-speaker/);
    assert.equal(failing.untilOpen(), undefined, 'a failed player waits for nothing (what is written is dropped)');
    await failing.close();
    assert.deepEqual(liveSoxPids(), []);
  });

  it('a warm player told to wait starts its SoX once that settles, not at once', async () => {
    const player = fakeSox(dir, 'warm-after', 'exec cat > /dev/null');
    process.env['KAIWA_SOX'] = player;
    let begin!: () => void;
    const waiting = new SoxPlayer(FORMAT, { warm: true, warmAfter: new Promise<void>((resolve) => { begin = resolve; }) });
    const atOnce = new SoxPlayer(FORMAT, { warm: true });
    // A warm player starts its SoX on the next turn of the event loop; two turns later, only one has.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    assert.notEqual(atOnce.pid, undefined);
    assert.equal(waiting.pid, undefined, 'the SoX started before it was time');
    begin();
    await waitFor(() => waiting.pid !== undefined, 5000, 'the waiting player\'s SoX');
    await Promise.all([waiting.close(), atOnce.close()]);
    assert.deepEqual(liveSoxPids(), []);
  });

  it('a warm player starts its next SoX a little after clear(), and not at all when it is closed first (the user quit)', async () => {
    const player = fakeSox(dir, 'warm-player', 'exec cat > /dev/null');
    process.env['KAIWA_SOX'] = player;
    // Each stand-in is killed only once it has noted its PID, so every one started is counted.
    const quitting = new SoxPlayer(FORMAT, { warm: true });
    assert.equal(await quitting.started(), undefined);
    await waitFor(() => pidsOf(player).length === 1, 5000, 'the first SoX to start');
    quitting.clear();
    await quitting.close();
    assert.equal(pidsOf(player).length, 1, 'a SoX was started only to be closed');
    const barging = new SoxPlayer(FORMAT, { warm: true });
    await barging.started();
    await waitFor(() => pidsOf(player).length === 2, 5000, 'the second SoX to start');
    barging.clear();
    await waitFor(() => pidsOf(player).length === 3, 5000, 'the warm player to start its next SoX');
    await barging.close();
    assert.deepEqual(liveSoxPids(), []);
  });

  it('stop() sends SIGTERM, then SIGKILL to a SoX that ignores it', async () => {
    const stubborn = fakeSox(dir, 'stubborn', "trap '' TERM\nexec sleep 30");
    process.env['KAIWA_SOX'] = stubborn;
    const recorder = new SoxRecorder(FORMAT, { stopGraceMs: 200 });
    recorder.start();
    await waitFor(() => pidsOf(stubborn).length === 1, 2000, 'the stand-in to start');
    const [pid] = pidsOf(stubborn);
    // It ignores TERM once it is `sleep` (the trap is set before the exec).
    await waitFor(() => commOf(pid!) === 'sleep', 2000, 'the stand-in to ignore SIGTERM');
    const startedStop = Date.now();
    await recorder.stop();
    const tookMs = Date.now() - startedStop;
    // At least the grace period (a lower bound holds on any machine); a hang meets the test's deadline.
    assert.ok(tookMs >= 190, `stop took ${tookMs} ms, less than the 200 ms grace`);
    assert.equal(isAlive(pid!), false);
    assert.deepEqual(liveSoxPids(), []);
  });

  it('kills every SoX child when the process exits without stopping them', async () => {
    const sleeper = fakeSox(dir, 'orphan-candidate', 'exec sleep 30');
    const soxUrl = new URL('../../src/audio/sox.ts', import.meta.url).href;
    const script = `
      const { SoxRecorder, SoxPlayer } = await import(${JSON.stringify(soxUrl)});
      new SoxRecorder({ sampleRate: 24000 }).start();
      new SoxPlayer({ sampleRate: 24000 }).write(Buffer.alloc(960));
      // Exits (without stopping them) once both stand-ins have started.
      const { existsSync, readFileSync } = await import('node:fs');
      const started = () => existsSync(${JSON.stringify(`${sleeper}.pids`)}) && readFileSync(${JSON.stringify(`${sleeper}.pids`)}, 'utf8').trim().split('\\n').length >= 2;
      const exitOnceStarted = () => (started() ? process.exit(0) : setTimeout(exitOnceStarted, 10));
      exitOnceStarted();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, KAIWA_SOX: sleeper }, stdio: 'inherit' });
    const code = await new Promise((resolve) => child.on('exit', resolve));
    assert.equal(code, 0);
    const pids = pidsOf(sleeper);
    assert.equal(pids.length, 2, 'both stand-ins should have started');
    await waitFor(() => pids.every((pid) => !isAlive(pid)), 2000, `SoX children ${pids.join(', ')} to die`);
  });

  it('player clear() kills SoX at once and starts a new one on the next write', async () => {
    const output = join(dir, 'played.raw');
    const player = fakeSox(dir, 'player', `cat >> '${output}'`);
    process.env['KAIWA_SOX'] = player;
    const sink = new SoxPlayer(FORMAT);
    sink.on('error', (error: Error) => assert.fail(`unexpected error: ${error.message}`));
    sink.write(Buffer.alloc(960, 1));
    await waitFor(() => pidsOf(player).length === 1, 2000, 'the first player');
    sink.clear();
    await waitFor(() => !isAlive(pidsOf(player)[0]!), 1000, 'the cleared player to die');
    sink.write(Buffer.alloc(960, 2));
    await waitFor(() => pidsOf(player).length === 2, 2000, 'a second player');
    await sink.close();
    assert.ok(readFileSync(output).subarray(-960).every((byte) => byte === 2));
    assert.deepEqual(liveSoxPids(), []);
  });

  it('player close() waits for SoX to drain everything written', async () => {
    const output = join(dir, 'drained.raw');
    // A slow consumer: close() must not return before it has read and written it all.
    process.env['KAIWA_SOX'] = fakeSox(dir, 'slow-player', `sleep 0.3; cat > '${output}'`);
    const sink = new SoxPlayer(FORMAT);
    const audio = Buffer.alloc(48000 * 2, 7);
    sink.write(audio);
    await sink.close();
    assert.equal(readFileSync(output).length, audio.length);
  });

  it('player close() does not wait for a SoX that has played nothing (one still opening its device is killed)', { timeout: 20_000 }, async () => {
    const opening = fakeSox(dir, 'still-opening', "trap '' TERM\nexec sleep 30 < /dev/null");
    process.env['KAIWA_SOX'] = opening;
    // Generous bounds: a drain of this SoX would outlast the test's timeout.
    const sink = new SoxPlayer(FORMAT, { warm: true, drainSlackMs: 60_000, stopGraceMs: 60_000 });
    assert.equal(await sink.started(), undefined);
    await waitFor(() => pidsOf(opening).length === 1, 2000, 'the stand-in to start');
    await sink.close();
    assert.equal(isAlive(pidsOf(opening)[0]!), false);
    assert.deepEqual(liveSoxPids(), []);
  });

  it('player close() gives up on a SoX that never exits, after the queued audio plus slack', async () => {
    const hung = fakeSox(dir, 'hung-player', "trap '' TERM\nexec sleep 30 < /dev/null");
    process.env['KAIWA_SOX'] = hung;
    const sink = new SoxPlayer(FORMAT, { drainSlackMs: 300, stopGraceMs: 100 });
    sink.write(Buffer.alloc(4800));
    await waitFor(() => pidsOf(hung).length === 1, 2000, 'the stand-in to start');
    const startedClose = Date.now();
    await sink.close();
    const tookMs = Date.now() - startedClose;
    // At least the queued audio plus slack (a lower bound holds on any machine); a hang meets the test's deadline.
    assert.ok(tookMs >= 250, `close took ${tookMs} ms, less than the audio plus slack`);
    assert.equal(isAlive(pidsOf(hung)[0]!), false);
    await sink.close();
  });
});
