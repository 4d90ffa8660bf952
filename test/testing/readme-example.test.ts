/** The README's "Test your Realtime app" example, as written there (kaiwa/testing + the official SDK). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { tempJson } from '../helpers/temp-dir.js';

test('the app calls get_weather', async (t) => {
  const { startRealtimeServer, ScriptEngine, loadReplyScript } = await import('kaiwa/testing' as string) as typeof import('../../src/testing/index.js');
  const script = tempJson('weather.json', {
    turns: [
      { match: 'weather', reply: [{ say: 'Let me check.' }, { call: 'get_weather', arguments: { city: 'Paris' } }] },
      { after_tool: 'get_weather', reply: 'It is {output} in Paris.' },
    ],
    default: 'Sorry, I only know about the weather.',
  });
  const server = await startRealtimeServer({ port: 0, tls: 'self-signed', engine: new ScriptEngine(loadReplyScript(script)) });
  t.after(() => server.close());
  const openai = new OpenAI({ apiKey: 'sk-local', baseURL: server.url.replace('wss:', 'https:') });
  const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca: server.certificate } }, openai);
  const call = new Promise<{ arguments: string }>((resolve) => rt.on('response.function_call_arguments.done', resolve));
  rt.on('session.created', () => {
    rt.send({ type: 'session.update', session: { type: 'realtime', tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }] } });
    rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather in Paris?' }] } });
    rt.send({ type: 'response.create' });
  });
  assert.equal((await call).arguments, '{"city":"Paris"}');
  rt.close();
});
