import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startTestServer } from '../helpers/server-harness.js';
import { startLoggingProxy } from '../helpers/logging-proxy.js';
import { silence, tone } from '../helpers/server-speech.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';
import { encodeWav } from '../../src/audio/wav.js';
import { bufferToInt16 } from '../../src/audio/pcm16.js';

test('--max-cost against kaiwa serve: the session ends after the response that crosses it, and no audio is sent after', async () => {
  const server = await startTestServer();
  const proxy = await startLoggingProxy(server.url);
  const dir = tempDir();
  const turns: Buffer[] = [];
  for (let i = 0; i < 6; i++) turns.push(silence(300), tone(800), silence(1200));
  const input = join(dir, 'turns.wav');
  writeFileSync(input, encodeWav(bufferToInt16(Buffer.concat(turns)), 24000, 1));
  try {
    const result = await runKaiwa(['--url', proxy.url, '--input', input, '--no-speaker', '--silence-ms', '400', '--max-cost', '0.005'], {
      env: { OPENAI_API_KEY: 'sk-budget-test-0000' }, timeoutMs: 30_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /spent \$0\.00\d+ of the \$0\.0050 budget \(--max-cost\)/, 'warned at 80 %');
    assert.match(result.stderr, /no more audio is sent; the session ends after the current response/);
    assert.match(result.stderr, /session ended: .* · \$0\.00\d+/);
    const responses = proxy.log.filter((event) => event.from === 'server' && event.type === 'response.done');
    assert.ok(responses.length >= 2 && responses.length < 6, `${responses.length} responses before the budget ended it`);
    const stopAt = responses.at(-1)!.at;
    const lateAppends = proxy.log.filter((event) => event.from === 'client' && event.type === 'input_audio_buffer.append' && event.at > stopAt + 100);
    assert.deepEqual(lateAppends, [], 'no audio after the stop');
  } finally {
    await proxy.close();
  }
});

test('--max-cost with many piped lines: no line is sent after the response that crosses it; the rest are reported unsent', async () => {
  const server = await startTestServer();
  const proxy = await startLoggingProxy(server.url);
  const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
  try {
    const result = await runKaiwa(['--url', proxy.url, '--no-mic', '--no-speaker', '--max-cost', '0.005'], {
      env: { OPENAI_API_KEY: 'sk-budget-test-0000' }, stdin: `${lines.join('\n')}\n`, timeoutMs: 30_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /no more audio is sent; the session ends after the current response/);
    const sentLines = proxy.log.filter((entry) => entry.from === 'client' && entry.type === 'conversation.item.create');
    const creates = proxy.log.filter((entry) => entry.from === 'client' && entry.type === 'response.create');
    const answered = proxy.log.filter((entry) => entry.from === 'server' && entry.type === 'response.done');
    assert.ok(answered.length >= 2 && answered.length < 10, `${answered.length} responses`);
    assert.equal(creates.length, answered.length, 'every request asked was answered, none asked after the limit');
    const unsent = [...result.stderr.matchAll(/not sent \(--max-cost or --max-minutes was reached\): "(line \d+)"/g)].map((match) => match[1]);
    assert.deepEqual(unsent, lines.slice(sentLines.length), 'each line not sent is named, in order');
  } finally {
    await proxy.close();
  }
});
