/**
 * Acceptance: cassettes. `kaiwa serve --record DIR` writes what an official client and the
 * server said; `kaiwa serve --replay DIR` plays the server's side back to the client, and
 * says whether the client kept to the cassette: all steps as recorded, or the first difference
 * and the steps never reached (failing the run with --fail-on-mistakes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RealtimeAgent, type RealtimeItem } from '@openai/agents-realtime';
import { serve } from '../helpers/serve-run.js';
import { tempDir } from '../helpers/temp-dir.js';
import { agentClient, openSdkClient, type SdkClient } from '../helpers/sdk-clients.js';
import type { RealtimeServer } from '../../src/server/realtime-server.js';

const LOOKUP = { type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { term: { type: 'string' } } } };

function userText(client: SdkClient, text: string): void {
  client.rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });
  client.rt.send({ type: 'response.create' });
}

/** A text conversation with a tool call; `variant` changes the first line and leaves before the tool's result. */
async function conversation(server: RealtimeServer, variant = false): Promise<string[]> {
  const client = await openSdkClient(server);
  const texts: string[] = [];
  client.rt.on('response.output_text.done', (event) => texts.push(event.text));
  client.rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], tools: [LOOKUP] } });
  await client.next('session.updated');
  userText(client, variant ? 'hullo' : 'hello');
  await client.next('response.done');
  userText(client, 'call lookup with term cats');
  const call = await client.next('response.function_call_arguments.done');
  assert.ok(call.type === 'response.function_call_arguments.done');
  texts.push(`${call.name}(${call.arguments})`);
  await client.next('response.done');
  if (!variant) {
    client.rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: 'found 3 cats' } });
    client.rt.send({ type: 'response.create' });
    await client.next('response.done');
  }
  client.rt.close();
  return texts;
}

async function recordCassette(): Promise<{ dir: string; texts: string[] }> {
  const dir = join(tempDir(), 'cassettes');
  const recording = await serve({ tls: true, record: dir });
  assert.match(recording.out[0]!, /recording each session into .*cassettes\/session-N/);
  const texts = await conversation(recording.server);
  assert.equal(await recording.stop(), 0);
  return { dir, texts };
}

test('openai SDK: --record writes both sides of the session; --replay plays it back and every step matches', async () => {
  const { dir, texts } = await recordCassette();
  assert.deepEqual(texts, ['You said: hello', 'lookup({"term":"cats"})', 'The lookup tool returned: found 3 cats']);
  const lines = readFileSync(join(dir, 'session-1', 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { dir: string; event: { type: string } });
  assert.deepEqual(lines.filter((line) => line.dir === 'client').map((line) => line.event.type), [
    'session.update', 'conversation.item.create', 'response.create', 'conversation.item.create', 'response.create', 'conversation.item.create', 'response.create',
  ]);
  assert.ok(lines.some((line) => line.dir === 'server' && line.event.type === 'response.function_call_arguments.done'));
  assert.ok(existsSync(join(dir, 'session-1', 'conversation.wav')) && existsSync(join(dir, 'session-1', 'transcript.md')));

  const replay = await serve({ tls: true, replay: dir, failOnMistakes: true });
  assert.deepEqual(await conversation(replay.server), texts);
  assert.match(await replay.logLine(/^replay:/), /^replay: session sess_\w+: all 7 steps as recorded$/);
  assert.equal(await replay.stop(), 0);
  assert.equal(replay.err.at(-1), 'replay: 1 session, 0 strayed from the cassette');
});

test('openai SDK: a client that strays is told the first difference and the steps it never reached, and the run fails', async () => {
  const { dir } = await recordCassette();
  const replay = await serve({ tls: true, replay: dir, failOnMistakes: true });
  await conversation(replay.server, true);
  const line = await replay.logLine(/^replay:/);
  assert.equal(line.replace(/sess_\w+/, 'sess_X'), 'replay: session sess_X: 5 of 7 steps reached; '
    + 'first difference: step 2 conversation.item.create: item.content[0].text: expected "hello", got "hullo"; '
    + 'never reached: step 6 conversation.item.create, step 7 response.create');
  assert.equal(await replay.stop(), 1);
  assert.equal(replay.err.at(-1), 'replay: 1 session, 1 strayed from the cassette', 'the summary counts replayed sessions, not protocol-checked ones');
});

function assistantTexts(history: RealtimeItem[]): string[] {
  return history.flatMap((item) => item.type === 'message' && item.role === 'assistant'
    ? item.content.map((part) => ('transcript' in part ? part.transcript : 'text' in part ? part.text : '') ?? '') : []);
}

async function agentTurn(server: RealtimeServer, text: string): Promise<string[]> {
  const agent = await agentClient(server, new RealtimeAgent({ name: 'echo', instructions: 'Repeat.' }));
  try {
    agent.session.sendMessage(text);
    await agent.waitFor(() => assistantTexts(agent.session.history).length > 0 && agent.raw.some((event) => event.type === 'response.done'), 'an answer');
    return assistantTexts(agent.session.history);
  } finally {
    agent.session.close();
  }
}

test('Agents SDK: a recorded session replays with every step matched; a changed line is the first difference', async () => {
  const dir = join(tempDir(), 'cassettes');
  const recording = await serve({ record: dir });
  const recorded = await agentTurn(recording.server, 'hello agents');
  assert.deepEqual(recorded, ['You said: hello agents']);
  await recording.stop();

  const replay = await serve({ replay: dir, failOnMistakes: true });
  assert.deepEqual(await agentTurn(replay.server, 'hello agents'), recorded);
  assert.match(await replay.logLine(/^replay:/), /: all \d+ steps as recorded$/);
  assert.equal(await replay.stop(), 0);

  const strayed = await serve({ replay: dir, failOnMistakes: true });
  await agentTurn(strayed.server, 'goodbye agents');
  assert.match(await strayed.logLine(/^replay:/), /first difference: step \d+ conversation\.item\.create: item\.content\[0\]\.text: expected "hello agents", got "goodbye agents"$/);
  assert.equal(await strayed.stop(), 1);
});
