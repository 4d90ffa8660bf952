import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aptInstall } from '../src/install-hint.js';

test('the install command has sudo only for a user who is not root (a root container has no sudo)', () => {
  assert.equal(aptInstall('sox libsox-fmt-pulse', true), 'apt-get install sox libsox-fmt-pulse');
  assert.equal(aptInstall('sox libsox-fmt-pulse', false), 'sudo apt-get install sox libsox-fmt-pulse');
  assert.equal(aptInstall('espeak-ng'), `${process.getuid?.() === 0 ? '' : 'sudo '}apt-get install espeak-ng`);
});
