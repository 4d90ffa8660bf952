/**
 * `kaiwa serve --tls` keeps one certificate in the config folder (0700, key 0600) and
 * prints the one line that makes Node clients trust it; the official SDK trusts it through
 * that line, and kaiwa's own client trusts it without being told (or with --ca FILE).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '../helpers/serve-run.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ROOT, runKaiwa } from '../helpers/cli-runner.js';
import { trustedCertificates } from '../../src/cli/server-trust.js';

function trustLine(err: string[]): string {
  const line = err.find((entry) => entry.includes('NODE_EXTRA_CA_CERTS='));
  assert.ok(line, `a trust line in ${err.join('\n')}`);
  return line;
}

test('--tls makes its certificate once in a private folder and reuses it', async () => {
  const home = tempDir();
  const dir = join(home, 'kaiwa');
  const first = await serve({ tls: true }, undefined, dir);
  const certPath = join(dir, 'serve-cert.pem');
  assert.equal(trustLine(first.err), `made a certificate in ${certPath}; to trust it: NODE_EXTRA_CA_CERTS=${certPath}`);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, 'serve-key.pem')).mode & 0o777, 0o600);
  assert.equal(first.server.certificate, readFileSync(certPath, 'utf8'));
  await first.stop();
  const second = await serve({ tls: true }, undefined, dir);
  assert.equal(trustLine(second.err), `using the certificate in ${certPath}; to trust it: NODE_EXTRA_CA_CERTS=${certPath}`);
  assert.equal(second.server.certificate, first.server.certificate);
});

test('the printed line is all the official SDK needs: NODE_EXTRA_CA_CERTS, no ca option', async () => {
  const dir = join(tempDir(), 'kaiwa');
  const { server, err } = await serve({ tls: true }, undefined, dir);
  const assignment = trustLine(err).split('to trust it: ')[1]!;
  const [name, value] = assignment.split('=');
  const script = `
    import OpenAI from 'openai';
    import { OpenAIRealtimeWS } from 'openai/realtime/ws';
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime' }, new OpenAI({ apiKey: 'sk-test', baseURL: process.argv[1] }));
    rt.on('error', (error) => { console.log('error ' + error.message); process.exit(1); });
    rt.on('session.created', () => { console.log('session.created'); rt.close(); });`;
  const output = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script, server.url.replace(/^wss:/, 'https:')], { cwd: ROOT, env: { ...process.env, [name!]: value }, timeout: 15000 },
      (error, stdout) => (error ? reject(new Error(`${error.message}\n${stdout}`)) : resolve(stdout)));
  });
  assert.equal(output.trim(), 'session.created');
});

test('kaiwa --url wss:// trusts kaiwa serve\'s own certificate from the config folder', async () => {
  const home = tempDir();
  const { server } = await serve({ tls: true }, undefined, join(home, 'kaiwa'));
  const result = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-tls-test-0000', XDG_CONFIG_HOME: home }, stdin: 'hello over tls\n' });
  assert.match(result.stdout, /You said: hello over tls/, result.stderr);
  assert.equal(result.code, 0, result.stderr);
});

test('without the certificate kaiwa refuses the connection; --ca FILE trusts it', async () => {
  const { server } = await serve({ tls: true });
  const elsewhere = tempDir();
  const refused = await runKaiwa(['--url', server.url, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-tls-test-0000', XDG_CONFIG_HOME: elsewhere }, stdin: 'hello\n' });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /certificate/i);
  const caFile = join(elsewhere, 'server.pem');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(caFile, server.certificate!);
  const trusted = await runKaiwa(['--url', server.url, '--ca', caFile, '--no-mic', '--no-speaker'], { env: { OPENAI_API_KEY: 'sk-tls-test-0000', XDG_CONFIG_HOME: elsewhere }, stdin: 'hello with ca\n' });
  assert.match(trusted.stdout, /You said: hello with ca/, trusted.stderr);
});

test('trustedCertificates: nothing extra for ws:, the roots kept beside the extras, a bad --ca is one line', () => {
  const dir = tempDir();
  assert.equal(trustedCertificates('ws://127.0.0.1:1/v1/realtime', undefined, dir), undefined);
  assert.equal(trustedCertificates('wss://api.openai.com/v1/realtime', undefined, dir), undefined, 'Node\'s defaults when there is nothing to add');
  assert.throws(() => trustedCertificates('wss://x/v1', join(dir, 'missing.pem'), dir), /^UsageError: cannot read --ca .*missing\.pem: ENOENT$/);
});
