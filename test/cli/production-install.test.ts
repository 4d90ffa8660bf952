/**
 * An install without dev dependencies has no openai (types only), no tsx (only for .ts tools)
 * and runs the CLI all the same; selfsigned is loaded only when TLS is asked for.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';
import { withoutPackages } from '../helpers/without-packages.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const offline = ['--local', '--no-mic', '--no-speaker'];
const hidden = withoutPackages('openai', 'tsx', 'selfsigned');

test('without openai, tsx and selfsigned: --help, serve --help and an offline turn work', async () => {
  const help = await runKaiwa(['--help'], { env: hidden });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: kaiwa/);
  const serveHelp = await runKaiwa(['serve', '--help'], { env: hidden });
  assert.equal(serveHelp.code, 0, serveHelp.stderr);
  assert.match(serveHelp.stdout, /--tls/);
  const turn = await runKaiwa([...offline, '--text', 'hello there', '--once'], { env: hidden });
  assert.equal(turn.code, 0, turn.stderr);
  assert.match(turn.stdout, /^assistant: You said: hello there/m);
});

test('a .ts tools module without tsx: the one-line hint, exit 2 (and proof the packages are hidden)', async () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));
  const tools = join(dir, 'tools.ts');
  writeFileSync(tools, 'export default [{ name: "noop", description: "nothing", parameters: { type: "object", properties: {} }, handler: () => "ok" }];\n');
  const result = await runKaiwa([...offline, '--tools', tools, '--text', 'hi', '--once'], { env: hidden });
  assert.equal(result.code, 2, result.stderr);
  assertNoStackTrace(result.stderr);
  const lines = result.stderr.trim().split('\n').filter((line) => line.startsWith('kaiwa:'));
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0]!, /tools\.ts: loading a \.ts tools module needs tsx \(npm install tsx\), or compile it to \.js/);
});
