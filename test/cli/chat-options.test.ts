import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoStackTrace, runKaiwa } from '../helpers/cli-runner.js';

// `--output "$OUT"` with OUT unset: the flag was taken as not given (no file, the microphone
// instead of --input, an empty message sent), and nothing said so.
test('an empty file, folder, message or tool flag (an unset shell variable) is refused in one line, exit 2, before anything runs', async () => {
  const cases: string[][] = [
    ['--text', ''], ['--text', '  '], ['--input', ''], ['--output', ''], ['--record', ''], ['--instructions-file', ''],
    ['--config', ''], ['--builtin-tools', ''], ['--tools', ''], ['--mcp', ''], ['--mcp-url', ''],
    ['transcribe', '--input', ''], ['transcribe', '--output-text', ''], ['serve', '--tls-cert', '', '--tls-key', 'k.pem'],
  ];
  for (const args of cases) {
    const result = await runKaiwa([...args, '--no-mic'], { env: { OPENAI_API_KEY: 'sk-test' } });
    const flag = args.find((arg) => arg.startsWith('--'))!;
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assertNoStackTrace(result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, new RegExp(`^kaiwa: option '${flag} <[^>]+>' argument '\\s*' is invalid\\. must not be empty\\n$`), args.join(' '));
  }
});
