/**
 * Acceptance: `kaiwa serve --script FILE` drives a conversation written in advance, as
 * the official `openai` SDK and the Agents SDK see it: a tool call with its arguments, the
 * answer after the tool's result, a match on recognized speech, an error, a pause, the
 * default, and the same events (call ids included) for the same conversation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeAgent, type RealtimeItem } from '@openai/agents-realtime';
import { serve } from '../helpers/serve-run.js';
import { tempJson } from '../helpers/temp-dir.js';
import { agentClient, agentWeatherTool, openSdkClient, type SdkClient } from '../helpers/sdk-clients.js';
import { FixedTranscriber, fakeSpeech, silence, tone } from '../helpers/server-speech.js';

const WEATHER_SCRIPT = {
  turns: [
    { match: 'weather', reply: [{ say: 'Let me check.' }, { call: 'get_weather', arguments: { city: 'Paris' } }] },
    { after_tool: 'get_weather', reply: 'It is {output} in Paris.' },
    { match: '/^thanks?\\b/i', reply: "You're welcome." },
    { match: 'break', reply: [{ pause: '50ms' }, { error: { type: 'server_error', code: 'scripted_failure', message: 'The script failed on purpose.' } }] },
  ],
  default: 'Sorry, I only know about the weather.',
};

const WEATHER_TOOL = { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

function say(client: SdkClient, text: string): void {
  client.rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  client.rt.send({ type: 'response.create' });
}

/** The parts of a response that a test asserts on, without ids that are fresh on each run. */
function summary(client: SdkClient): string[] {
  return client.events.flatMap((event) => {
    if (event.type === 'response.output_text.done') return [`text: ${event.text}`];
    if (event.type === 'response.function_call_arguments.done') return [`call ${event.call_id} ${event.name}(${event.arguments})`];
    if (event.type === 'response.done') return [`done: ${event.response.status}`];
    if (event.type === 'error') return [`error: ${event.error.code}`];
    return [];
  });
}

async function weatherConversation(client: SdkClient): Promise<void> {
  client.rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], tools: [WEATHER_TOOL] } });
  await client.next('session.updated');
  say(client, "What's the weather in Paris?");
  const call = await client.next('response.function_call_arguments.done');
  assert.ok(call.type === 'response.function_call_arguments.done');
  await client.next('response.done');
  client.rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: 'sunny' } });
  client.rt.send({ type: 'response.create' });
  await client.next('response.done');
  say(client, 'thanks!');
  await client.next('response.done');
  say(client, 'and tomorrow?');
  await client.next('response.done');
}

test('openai SDK: a scripted tool-call conversation, the same events on every run', async () => {
  const { server, out } = await serve({ tls: true, script: tempJson('weather.json', WEATHER_SCRIPT) });
  assert.match(out[0]!, /engine: script .*weather\.json \(4 turns, sequence\)/);
  const runs: string[][] = [];
  for (let run = 0; run < 2; run++) {
    const client = await openSdkClient(server);
    await weatherConversation(client);
    runs.push(summary(client));
    client.rt.close();
  }
  assert.deepEqual(runs[0], [
    'text: Let me check.',
    'call call_script1 get_weather({"city":"Paris"})',
    'done: completed',
    'text: It is sunny in Paris.',
    'done: completed',
    "text: You're welcome.",
    'done: completed',
    'text: Sorry, I only know about the weather.',
    'done: completed',
  ]);
  assert.deepEqual(runs[1], runs[0], 'deterministic');
});

test('openai SDK: a scripted error ends the response failed, after a pause', async () => {
  const { server } = await serve({ tls: true, script: tempJson('weather.json', { ...WEATHER_SCRIPT, order: 'match' }) });
  const client = await openSdkClient(server);
  client.rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'] } });
  say(client, 'break something');
  const done = await client.next('response.done');
  assert.ok(done.type === 'response.done');
  assert.equal(done.response.status, 'failed');
  assert.deepEqual(done.response.status_details?.error, { type: 'server_error', code: 'scripted_failure', message: 'The script failed on purpose.' });
  assert.deepEqual(summary(client), ['error: scripted_failure', 'done: failed']);
  assert.equal(client.errors.length, 1, 'the SDK raised the error event');
  client.rt.close();
});

test('openai SDK: a turn matches the recognized words of spoken audio', async () => {
  const speech = fakeSpeech({ transcriber: new FixedTranscriber('what is the weather like in Paris') });
  const { server } = await serve({ tls: true, script: tempJson('weather.json', WEATHER_SCRIPT) }, speech);
  const client = await openSdkClient(server);
  client.rt.send({
    type: 'session.update',
    session: { type: 'realtime', output_modalities: ['text'], tools: [WEATHER_TOOL], audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 200 } } } },
  });
  await client.next('session.updated');
  const pcm = Buffer.concat([silence(300), tone(800), silence(600)]);
  for (let offset = 0; offset < pcm.length; offset += 4800) {
    client.rt.send({ type: 'input_audio_buffer.append', audio: pcm.subarray(offset, offset + 4800).toString('base64') });
  }
  const call = await client.next('response.function_call_arguments.done');
  assert.ok(call.type === 'response.function_call_arguments.done');
  assert.equal(call.arguments, '{"city":"Paris"}');
  client.rt.close();
});

function assistantTexts(history: RealtimeItem[]): string[] {
  return history.flatMap((item) => item.type === 'message' && item.role === 'assistant'
    ? item.content.map((part) => ('transcript' in part ? part.transcript : 'text' in part ? part.text : '') ?? '') : []);
}

test('Agents SDK: the agent runs the scripted tool call and speaks the scripted answer', async () => {
  const { server } = await serve({ script: tempJson('weather.json', WEATHER_SCRIPT) });
  const calls: unknown[] = [];
  const getWeather = agentWeatherTool(calls, 'sunny');
  const agent = await agentClient(server, new RealtimeAgent({ name: 'weather', instructions: 'Use tools.', tools: [getWeather] }));
  try {
    agent.session.sendMessage('How is the weather in Paris?');
    await agent.waitFor(() => assistantTexts(agent.session.history).includes('It is sunny in Paris.'), 'the scripted answer');
    assert.deepEqual(calls, [{ city: 'Paris' }]);
    assert.deepEqual(assistantTexts(agent.session.history), ['Let me check.', 'It is sunny in Paris.']);
    assert.deepEqual(agent.errors, []);
  } finally {
    agent.session.close();
  }
});

test('a bad --script is one line and no server', async () => {
  await assert.rejects(serve({ script: tempJson('bad.json', { turns: [{ match: 'x' }] }) }), (error: Error) =>
    error.name === 'UsageError' && /^--script \S+bad\.json: turns\[0\]: a turn needs a reply$/.test(error.message));
});
