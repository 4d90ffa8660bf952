import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRealtimeServer } from '../../src/server/realtime-server.js';
import { ScriptEngine } from '../../src/server/engines/script-engine.js';
import { parseReplyScript } from '../../src/server/engines/scripted-turns.js';
import { fakeSpeech } from '../helpers/server-speech.js';
import { runKaiwa } from '../helpers/cli-runner.js';

test('a typed line over --protocol live reaches kaiwa serve\'s script as the words typed (anchored patterns match, {heard} is the line)', async () => {
  const engine = new ScriptEngine(parseReplyScript({ order: 'match', turns: [{ match: '/^(bye|goodbye)\\b/i', reply: 'Goodbye!' }], default: 'You said {heard}.' }));
  const server = await startRealtimeServer({ port: 0, engine, speech: fakeSpeech() });
  try {
    const args = ['--protocol', 'live', '--url', server.url, '--no-mic', '--no-speaker', '--once'];
    const env = { env: { OPENAI_API_KEY: 'sk-live-typed-0000' } };
    const bye = await runKaiwa([...args, '--text', 'goodbye'], env);
    assert.equal(bye.code, 0, bye.stderr);
    assert.match(bye.stdout, /^assistant: Goodbye!$/m);
    const other = await runKaiwa([...args, '--text', 'hello there'], env);
    assert.match(other.stdout, /^assistant: You said hello there\.$/m);
  } finally {
    await server.close();
  }
});
