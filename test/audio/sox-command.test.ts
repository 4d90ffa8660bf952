/**
 * The microphone's SoX command: its stdout unbuffered through coreutils' libstdbuf where that
 * is installed (the first audio comes ~30-40 ms sooner), the article's command where not.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { findStdbufLibrary, recorderArgs, recorderCommand, stdbufLibrary, withUnbufferedStdout } from '../../src/audio/sox-command.js';

const LIB = '/usr/libexec/coreutils/libstdbuf.so';

describe('recorderCommand', () => {
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const name of ['LD_PRELOAD', '_STDBUF_O', 'KAIWA_LIBSTDBUF', 'PULSE_LATENCY_MSEC']) saved[name] = process.env[name];
    delete process.env['LD_PRELOAD'];
    delete process.env['_STDBUF_O'];
    delete process.env['PULSE_LATENCY_MSEC'];
  });
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('without libstdbuf: the article\'s command with 20 ms blocks, nothing preloaded', () => {
    const { args, env } = recorderCommand(24000, undefined, { library: undefined });
    assert.deepEqual(args, recorderArgs(24000));
    assert.equal(args[1], '960');
    assert.equal(env['LD_PRELOAD'], undefined);
    assert.equal(env['_STDBUF_O'], undefined);
    assert.equal(env['PULSE_LATENCY_MSEC'], '30');
  });

  it('with libstdbuf: preloaded, stdout unbuffered, SoX reading 4096 bytes at a time', () => {
    const { args, env } = recorderCommand(24000, undefined, { library: LIB });
    assert.deepEqual(args, recorderArgs(24000, 4096));
    assert.equal(env['LD_PRELOAD'], LIB);
    assert.equal(env['_STDBUF_O'], '0');
    assert.equal(env['PULSE_LATENCY_MSEC'], '30');
  });

  it('a library the user preloads stays, first; the echo canceller\'s device is still chosen', () => {
    process.env['LD_PRELOAD'] = '/opt/mine/libhook.so';
    const { env } = recorderCommand(24000, 'kaiwa_ec_src', { library: LIB });
    assert.equal(env['LD_PRELOAD'], `/opt/mine/libhook.so:${LIB}`);
    assert.equal(env['AUDIODEV'], 'kaiwa_ec_src');
    assert.deepEqual(withUnbufferedStdout({ LD_PRELOAD: '  ' }, LIB)['LD_PRELOAD'], LIB);
  });

  it('the same command twice: the entry point\'s SoX and the recorder\'s match, so it is taken over', () => {
    assert.deepEqual(recorderCommand(16000), recorderCommand(16000));
  });

  it('$KAIWA_LIBSTDBUF names the library, or (empty) turns unbuffering off', () => {
    process.env['KAIWA_LIBSTDBUF'] = '/somewhere/libstdbuf.so';
    assert.equal(stdbufLibrary(), '/somewhere/libstdbuf.so');
    assert.equal(recorderCommand(24000).env['LD_PRELOAD'], '/somewhere/libstdbuf.so');
    process.env['KAIWA_LIBSTDBUF'] = '';
    assert.equal(stdbufLibrary(), undefined);
    assert.equal(recorderCommand(24000).args[1], '960');
  });
});

describe('findStdbufLibrary', () => {
  const filesOf = (present: string[], links: Record<string, string> = {}) => ({
    exists: (file: string) => present.includes(file),
    realpath: (file: string) => links[file] ?? file,
  });

  it('finds it where Debian, Arch or openSUSE put it', () => {
    for (const place of ['/usr/libexec/coreutils/libstdbuf.so', '/usr/lib/coreutils/libstdbuf.so', '/usr/lib64/coreutils/libstdbuf.so']) {
      assert.equal(findStdbufLibrary('/usr/bin', filesOf([place])), place);
    }
  });

  it('else beside the stdbuf on the PATH, through its links (NixOS)', () => {
    const store = '/nix/store/abc-coreutils';
    const files = filesOf(['/run/current-system/sw/bin/stdbuf', `${store}/libexec/coreutils/libstdbuf.so`], { '/run/current-system/sw/bin/stdbuf': `${store}/bin/stdbuf` });
    assert.equal(findStdbufLibrary('relative/bin:/run/current-system/sw/bin', files), `${store}/libexec/coreutils/libstdbuf.so`);
  });

  it('none: no library, and a stdbuf without one beside it does not count', () => {
    assert.equal(findStdbufLibrary('/usr/bin:/bin', filesOf(['/usr/bin/stdbuf'])), undefined);
    assert.equal(findStdbufLibrary('', filesOf([])), undefined);
  });
});
