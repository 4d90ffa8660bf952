/**
 * Settings only a model acts on (sampling temperature, reasoning effort, parallel tool
 * calls, context truncation, a stored prompt): kaiwa serve has no model to apply them to,
 * but it checks them as the `openai` package types them, so a client that sends one wrong
 * is refused here as the service would refuse it, not only in production.
 * Inside the objects only the typed fields are checked; others pass, as they always have.
 */
import { REASONING_EFFORTS } from '../protocol/realtime-models.js';
import { invalidType } from './protocol-failure.js';
import { isRecord, number, numberIn, oneOf, optionalString, record, string } from './json-check.js';

/** `temperature`, typed by the beta session (a beta client's arrives through the dialect): "limited to [0.6, 1.2]". */
export function parseTemperature(value: unknown, param: string): number {
  return numberIn(value, param, 0.6, 1.2);
}

/** RealtimeReasoning: `{effort?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh'}`. */
export function parseReasoning(value: unknown, param: string): unknown {
  const reasoning = record(value, param);
  if (reasoning.effort !== undefined) oneOf(reasoning.effort, `${param}.effort`, REASONING_EFFORTS);
  return reasoning;
}

const TRUNCATION_MODES = ['auto', 'disabled'] as const;

/** RealtimeTruncation: 'auto', 'disabled', or a retention ratio `{type, retention_ratio, token_limits?}`. */
export function parseTruncation(value: unknown, param: string): unknown {
  if (typeof value === 'string') return oneOf(value, param, TRUNCATION_MODES);
  if (!isRecord(value)) throw invalidType(param, "'auto', 'disabled' or an object", value);
  oneOf(value.type, `${param}.type`, ['retention_ratio'] as const);
  numberIn(value.retention_ratio, `${param}.retention_ratio`, 0, 1);
  if (value.token_limits !== undefined) {
    const limits = record(value.token_limits, `${param}.token_limits`);
    if (limits.post_instructions !== undefined) number(limits.post_instructions, `${param}.token_limits.post_instructions`);
  }
  return value;
}

/** ResponsePrompt or null: `{id, variables?: object | null, version?: string | null}`. */
export function parsePrompt(value: unknown, param: string): unknown {
  if (value === null) return null;
  const prompt = record(value, param);
  string(prompt.id, `${param}.id`);
  if (prompt.version !== null) optionalString(prompt.version, `${param}.version`);
  if (prompt.variables !== undefined && prompt.variables !== null) record(prompt.variables, `${param}.variables`);
  return prompt;
}
