/**
 * A child's stdout through a Unix socket read into a reused buffer (child-output-socket.ts),
 * with real children (sh) writing into it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openChildOutputSocket } from '../../src/audio/child-output-socket.js';

/** Runs `sh -c script` with the socket as its stdout; resolves with everything read once it is all in. */
async function outputOf(script: string, listenAt: 'at once' | 'after the child exited' = 'at once'): Promise<string> {
  const { writeEnd, output } = await openChildOutputSocket();
  const child = spawn('sh', ['-c', script], { stdio: ['ignore', writeEnd, 'ignore'] });
  writeEnd.destroy();
  if (listenAt === 'after the child exited') await new Promise((resolve) => child.once('exit', resolve));
  const chunks: Buffer[] = [];
  output.onBytes((bytes) => chunks.push(bytes));
  await output.ended;
  return Buffer.concat(chunks).toString();
}

describe('child output socket', () => {
  let savedTmp: string | undefined;
  let folder: string;
  beforeEach(() => {
    // A temp folder of its own: what is made and removed in it is this test's alone.
    savedTmp = process.env['TMPDIR'];
    folder = mkdtempSync(join(tmpdir(), 'kaiwa-cos-'));
    process.env['TMPDIR'] = folder;
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
    if (savedTmp === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = savedTmp;
  });

  it('delivers what the child wrote, in order, and ends once it exits', async () => {
    assert.equal(await outputOf('printf one; sleep 0.05; printf two; printf three'), 'onetwothree');
  });

  it('keeps what came before anyone listened, for the first listener', async () => {
    assert.equal(await outputOf('printf early', 'after the child exited'), 'early');
  });

  it('leaves nothing on disk, not even while the child runs', async () => {
    const { writeEnd, output } = await openChildOutputSocket();
    assert.deepEqual(readdirSync(folder), []);
    writeEnd.destroy();
    output.close();
    await output.ended;
  });

  it('with no temporary folder to make it in, says so (rejects) and leaves nothing open', async () => {
    process.env['TMPDIR'] = join(folder, 'missing');
    await assert.rejects(openChildOutputSocket(), /ENOENT/);
  });

  it('close() ends it while the child still writes', async () => {
    const { writeEnd, output } = await openChildOutputSocket();
    const child = spawn('sh', ['-c', 'while :; do printf x; sleep 0.01; done'], { stdio: ['ignore', writeEnd, 'ignore'] });
    writeEnd.destroy();
    output.close();
    await output.ended;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  });
});
