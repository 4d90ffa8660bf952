/**
 * response.create checks the model settings it takes (RealtimeResponseCreateParams:
 * parallel_tool_calls, prompt, reasoning; temperature as the beta response typed it) as
 * session.update checks them: a wrong type is refused with the parameter's path, before
 * any response starts. Well-typed values still plan a response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planResponse } from '../../src/server/response-plan.js';
import { defaultSession } from '../../src/server/session-state.js';
import { refusalOf } from '../helpers/protocol-refusal.js';

const sources = { session: defaultSession('gpt-realtime', 3600), conversationItems: () => [], lookup: () => undefined };

function refusal(response: Record<string, unknown>): { code: string; param: string | null } {
  return refusalOf(() => planResponse(response, sources), response);
}

test('wrongly typed model settings in response.create are refused with the parameter path', () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ temperature: 'hot' }, 'invalid_type', 'response.temperature'],
    [{ parallel_tool_calls: 'yes' }, 'invalid_type', 'response.parallel_tool_calls'],
    [{ reasoning: 'high' }, 'invalid_type', 'response.reasoning'],
    [{ reasoning: { effort: 'extreme' } }, 'invalid_value', 'response.reasoning.effort'],
    [{ prompt: 'pmpt_1' }, 'invalid_type', 'response.prompt'],
    [{ prompt: { id: 7 } }, 'invalid_type', 'response.prompt.id'],
    [{ tools: [{ type: 'function', name: 'a', strict: 'yes' }] }, 'invalid_type', 'response.tools[0].strict'],
    [{ tools: [{ type: 'function', name: 'a', description: 5 }] }, 'invalid_type', 'response.tools[0].description'],
  ];
  for (const [response, code, param] of cases) assert.deepEqual(refusal(response), { code, param }, JSON.stringify(response));
});

test('well-typed model settings in response.create plan a response', () => {
  const plan = planResponse({
    temperature: 0.8, parallel_tool_calls: false, tools: [{ type: 'function', name: 'a', strict: true }], reasoning: { effort: 'low' }, prompt: { id: 'pmpt_1', version: null, variables: { a: 'b' } },
  }, sources);
  assert.match(plan.id, /^resp_/);
  assert.equal(planResponse({ prompt: null }, sources).conversation, 'auto');
});
