/**
 * session.update checks the type of every field it knows, as the `openai` package types
 * them (RealtimeSessionCreateRequest; the beta session for `temperature`): a wrong type is
 * refused with invalid_type (or the enum's invalid_value) and the parameter's path, and the
 * session is left as it was. Well-typed values still pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySessionUpdate, defaultSession } from '../../src/server/session-state.js';
import { refusalOf } from '../helpers/protocol-refusal.js';
import { MistakeLedger } from '../../src/server/strict/client-mistakes.js';
import { connectClient, startTestServer } from '../helpers/server-harness.js';
import type { Json } from '../helpers/server-client.js';

const context = { assistantHasSpoken: false };

function refusal(session: Record<string, unknown>): { code: string; param: string | null } {
  return refusalOf(() => applySessionUpdate(defaultSession('gpt-realtime', 3600), { type: 'realtime', ...session }, context), session);
}

test('wrongly typed known session fields are refused with the parameter path', () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ temperature: 'hot' }, 'invalid_type', 'session.temperature'],
    [{ parallel_tool_calls: 'yes' }, 'invalid_type', 'session.parallel_tool_calls'],
    [{ reasoning: 'high' }, 'invalid_type', 'session.reasoning'],
    [{ reasoning: { effort: 3 } }, 'invalid_type', 'session.reasoning.effort'],
    [{ reasoning: { effort: 'extreme' } }, 'invalid_value', 'session.reasoning.effort'],
    [{ truncation: 5 }, 'invalid_type', 'session.truncation'],
    [{ truncation: 'sometimes' }, 'invalid_value', 'session.truncation'],
    [{ truncation: { type: 'retention_ratio', retention_ratio: 'most' } }, 'invalid_type', 'session.truncation.retention_ratio'],
    [{ truncation: { type: 'retention_ratio', retention_ratio: 0.5, token_limits: { post_instructions: '5k' } } }, 'invalid_type', 'session.truncation.token_limits.post_instructions'],
    [{ prompt: 'pmpt_1' }, 'invalid_type', 'session.prompt'],
    [{ prompt: { id: 7 } }, 'invalid_type', 'session.prompt.id'],
    [{ prompt: { id: 'pmpt_1', version: 2 } }, 'invalid_type', 'session.prompt.version'],
    [{ prompt: { id: 'pmpt_1', variables: 'x' } }, 'invalid_type', 'session.prompt.variables'],
    [{ tracing: { workflow_name: 5 } }, 'invalid_type', 'session.tracing.workflow_name'],
    [{ tracing: { group_id: false } }, 'invalid_type', 'session.tracing.group_id'],
    [{ audio: { input: { transcription: { model: 5 } } } }, 'invalid_type', 'session.audio.input.transcription.model'],
    [{ audio: { input: { transcription: { languages: 'en' } } } }, 'invalid_type', 'session.audio.input.transcription.languages'],
    [{ audio: { input: { transcription: { keywords: [1] } } } }, 'invalid_type', 'session.audio.input.transcription.keywords[0]'],
    [{ audio: { input: { transcription: { delay: 'slow' } } } }, 'invalid_value', 'session.audio.input.transcription.delay'],
    [{ audio: { input: { noise_reduction: { type: 'near_field', strength: 'max' } } } }, 'invalid_type', 'session.audio.input.noise_reduction.strength'],
  ];
  for (const [session, code, param] of cases) assert.deepEqual(refusal(session), { code, param }, JSON.stringify(session));
});

test('well-typed values of those fields pass', () => {
  const next = applySessionUpdate(defaultSession('gpt-realtime', 3600), {
    type: 'realtime',
    temperature: 0.8,
    parallel_tool_calls: true,
    reasoning: { effort: 'low' },
    truncation: { type: 'retention_ratio', retention_ratio: 0.8, token_limits: { post_instructions: 5000 } },
    prompt: { id: 'pmpt_1', version: null, variables: { city: 'Paris' } },
    tracing: { workflow_name: 'wf', group_id: 'g', metadata: { any: 1 } },
    audio: { input: { transcription: { model: 'gpt-4o-transcribe', languages: ['en'], keywords: ['kaiwa'], delay: 'low' }, noise_reduction: { type: 'far_field', strength: 0.5 } } },
  }, context);
  assert.equal(next.audio.input.transcription?.model, 'gpt-4o-transcribe');
  assert.deepEqual(next.truncation, { type: 'retention_ratio', retention_ratio: 0.8, token_limits: { post_instructions: 5000 } });
  for (const truncation of ['auto', 'disabled']) applySessionUpdate(next, { type: 'realtime', truncation, prompt: null }, context);
});

test('each field of a tools[] entry is type-checked with its path (type, name, description, parameters, strict)', () => {
  const tool = { type: 'function', name: 'get_weather' };
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ ...tool, type: 5 }, 'invalid_type', 'session.tools[0].type'],
    [{ ...tool, type: 'web_search' }, 'invalid_value', 'session.tools[0].type'],
    [{ ...tool, name: 5 }, 'invalid_type', 'session.tools[0].name'],
    [{ ...tool, description: ['Weather'] }, 'invalid_type', 'session.tools[0].description'],
    [{ ...tool, parameters: '{"type":"object"}' }, 'invalid_type', 'session.tools[0].parameters'],
    [{ ...tool, strict: 'true' }, 'invalid_type', 'session.tools[0].strict'],
    [{ ...tool, strict: 1 }, 'invalid_type', 'session.tools[0].strict'],
  ];
  for (const [entry, code, param] of cases) assert.deepEqual(refusal({ tools: [entry] }), { code, param }, JSON.stringify(entry));
  // The second entry's path is its own.
  assert.deepEqual(refusal({ tools: [tool, { type: 'function', name: 'other', strict: {} }] }), { code: 'invalid_type', param: 'session.tools[1].strict' });
});

test('well-typed tools[] entries pass, strict as true, false or null (the Responses API types it boolean | null)', () => {
  const parameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
  const next = applySessionUpdate(defaultSession('gpt-realtime', 3600), {
    type: 'realtime',
    tools: [
      { type: 'function', name: 'a', description: 'A', parameters, strict: true },
      { type: 'function', name: 'b', strict: false },
      { name: 'c', strict: null },
    ],
  }, context);
  assert.deepEqual(next.tools.map((tool) => tool.name), ['a', 'b', 'c']);
});

test('under --strict a GA session.update with temperature "hot" and an event with a numeric event_id are refused', async () => {
  const server = await startTestServer({ strict: new MistakeLedger(() => undefined) });
  const { client } = await connectClient(server);
  client.send({ type: 'session.update', event_id: 'evt_hot', session: { type: 'realtime', temperature: 'hot' } });
  const hot = (await client.next('error')).error as Json;
  assert.deepEqual([hot.code, hot.param, hot.event_id], ['invalid_type', 'session.temperature', 'evt_hot']);
  client.send({ type: 'input_audio_buffer.clear', event_id: 42 });
  const numeric = (await client.next('error')).error as Json;
  assert.deepEqual([numeric.code, numeric.param, numeric.message], ['invalid_type', 'event_id', "Invalid type for 'event_id': expected a string, but got a number."]);
  assert.equal(client.events.filter((event) => event.type === 'input_audio_buffer.cleared').length, 0, 'the refused event is not handled');
});
