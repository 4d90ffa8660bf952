import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { runKaiwa } from '../helpers/cli-runner.js';
import { tempDir } from '../helpers/wav-fixtures.js';

const instructions = `時々俳句や川柳を織り交ぜて返事するアシスタントとして会話してください。
普通の返答に詩的なフレーバーを追加。シンプルなタスク指示でも突然俳句が入ってきます。
例：「タスク完了、おつかれさまです。秋の風、少し寒くて、そっと終わる。」`;

test("the article's flags send exactly the article's session.update, with its headers", async () => {
  const dir = tempDir();
  const haiku = join(dir, 'haiku.txt');
  writeFileSync(haiku, `${instructions}\n`);
  const server = await startScriptedServer();
  try {
    const key = 'sk-article-test-key-1234567890';
    const result = await runKaiwa([
      '--url', server.url, '--protocol', 'beta', '--model', 'gpt-4o-realtime-preview-2024-10-01', '--voice', 'echo',
      '--transcribe', 'whisper-1', '--vad', 'server', '--instructions-file', haiku, '--no-mic', '--no-speaker',
    ], { env: { OPENAI_API_KEY: key } });
    assert.equal(result.code, 0, result.stderr);
    const connection = server.connections[0]!;
    assert.equal(connection.headers.authorization, `Bearer ${key}`);
    assert.equal(connection.headers['openai-beta'], 'realtime=v1');
    assert.match(connection.url, /^\/v1\/realtime\?model=gpt-4o-realtime-preview-2024-10-01$/);
    const { event_id: _id, ...update } = connection.received[0]!;
    assert.deepEqual(update, {
      type: 'session.update',
      session: {
        voice: 'echo',
        instructions,
        input_audio_transcription: { model: 'whisper-1' },
        turn_detection: { type: 'server_vad' },
      },
    });
    assert.ok(!result.stdout.includes(key) && !result.stderr.includes(key));
  } finally {
    await server.close();
  }
});
