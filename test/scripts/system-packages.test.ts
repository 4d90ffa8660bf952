import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, existsSync, writeFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * scripts/system-packages.sh, which install.sh and `npm test`'s pretest share, run with a
 * private PATH: `id` says who we are, `sudo` and `apt-get` only write down how they were
 * called. No package is really installed.
 */
function machine(options: { uid: number; sudo: boolean }) {
  const dir = tempDir();
  const bin = join(dir, 'bin');
  const calls = join(dir, 'calls');
  spawnSync('mkdir', [bin]);
  for (const tool of ['dpkg-query', 'grep', 'tr', 'env', 'cat']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(bin, tool));
  }
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('id', `echo ${options.uid}`);
  stub('apt-get', `echo "apt-get $*" >> ${calls}`);
  if (options.sudo) stub('sudo', `echo "sudo $1" >> ${calls}; "$@"`);
  const run = (script: string) => spawnSync('/bin/bash', ['-c', `FAIL_PREFIX="kaiwa tests"; source ${join(ROOT, 'scripts', 'system-packages.sh')}; ${script}`], {
    // stdin not a socket (bash would read ~/.bashrc, taking it for a remote shell), a HOME of its own.
    env: { PATH: bin, HOME: dir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { run, calls: () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []) };
}

const ABSENT = 'kaiwa-no-such-package';

test('a package that is not installed is named as missing; an installed one is not', () => {
  const { run } = machine({ uid: 0, sudo: false });
  const result = run(`missing_packages bash ${ABSENT}`);
  assert.equal(result.stdout.trim(), ABSENT);
});

test('nothing missing: apt-get is not run at all (a second install touches nothing)', () => {
  const { run, calls } = machine({ uid: 0, sudo: false });
  const result = run('install_packages bash coreutils');
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(calls(), []);
});

test('as root without sudo: apt-get update, then install of only what is missing', () => {
  const { run, calls } = machine({ uid: 0, sudo: false });
  const result = run(`install_packages bash ${ABSENT}`);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr.trim(), `kaiwa tests: installing ${ABSENT}`);
  assert.deepEqual(calls(), ['apt-get update -qq', `apt-get install -y -qq --no-install-recommends ${ABSENT}`]);
});

test('as a user with sudo: the same through sudo', () => {
  const { run, calls } = machine({ uid: 1000, sudo: true });
  const result = run(`install_packages ${ABSENT} bash`);
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(calls(), ['sudo env', 'apt-get update -qq', 'sudo env', `apt-get install -y -qq --no-install-recommends ${ABSENT}`]);
});

test('as a user without sudo: one line naming the packages, exit 1, nothing run', () => {
  const { run, calls } = machine({ uid: 1000, sudo: false });
  const result = run(`install_packages ${ABSENT} bash`);
  assert.equal(result.status, 1);
  assert.equal(result.stderr, `kaiwa tests: run this as root, or install sudo: it needs to install ${ABSENT}\n`);
  assert.deepEqual(calls(), []);
});
